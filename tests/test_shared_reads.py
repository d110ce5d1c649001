"""Room reads shared by a process's walls: one read for many walls, a new one once anything happened."""

import time

from webapp.rooms.news import News
from webapp.rooms.shared_reads import CAPACITY, SharedReads


class Reads:
    """A read that counts how often it ran."""

    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return self.count


def test_the_same_question_is_read_once_until_something_happens():
    news, read = News(), Reads()
    shared = SharedReads(news, max_age=3600)
    assert [shared.get(("events", "ROOM", 4), read) for _ in range(50)] == [1] * 50
    news.wake()
    assert shared.get(("events", "ROOM", 4), read) == 2 and read.count == 2


def test_a_read_older_than_its_age_is_read_again():
    read = Reads()
    shared = SharedReads(News(), max_age=0)
    assert [shared.get("key", read) for _ in range(3)] == [1, 2, 3]


def test_made_up_questions_cannot_pile_up_nor_push_out_a_read_the_walls_keep_using():
    shared = SharedReads(News(), max_age=3600)
    walls = Reads()
    shared.get(("events", "ROOM", 0), walls)
    for after in range(1, 3 * CAPACITY):
        shared.get(("events", "ROOM", after), Reads())
        if after % 4 == 0:
            shared.get(("events", "ROOM", 0), walls)
    assert len(shared) == CAPACITY and walls.count == 1


def test_a_stale_read_is_dropped_when_another_is_kept():
    shared = SharedReads(News(), max_age=0)
    for after in range(10):
        shared.get(("events", "ROOM", after), Reads())
    assert len(shared) == 1


def test_walls_woken_by_news_share_a_read_made_after_it_while_a_new_question_waits_for_all_news():
    news, read = News(), Reads()
    shared = SharedReads(news, max_age=3600)
    news.wake()
    told = news.told
    assert shared.get(("events", "ROOM", 4), read, told) == 1
    news.wake()
    assert [shared.get(("events", "ROOM", 4), read, told) for _ in range(20)] == [1] * 20
    assert shared.get(("events", "ROOM", 4), read) == 2 and read.count == 2


def test_a_stream_shares_a_read_made_after_it_woke_however_late_it_runs_and_not_one_older_than_max_age(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    news, read = News(), Reads()
    shared = SharedReads(news, max_age=0.2)
    assert shared.get("key", read) == 1
    clock[0] = 101.0
    assert shared.get("key", read, news.count, asked_at=99.95) == 1
    assert shared.get("key", read, news.count, asked_at=101.0) == 2
