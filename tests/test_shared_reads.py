"""Room reads shared by a process's walls: one read for many walls, a new one once anything happened."""

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
