"""A process's room news: counted at once, told to waiting streams together at most once a tick."""

import math
import threading

from webapp.rooms.news import News


def test_the_first_news_is_told_at_once_and_more_within_the_tick_at_its_end():
    news = News(tick=0.05)
    news.wake()
    assert (news.count, news.told) == (1, 1)
    news.wake()
    news.wake()
    assert (news.count, news.told) == (3, 1)
    assert news.wait(1, seconds=30)[0] == 3


def test_every_waiting_stream_is_told_the_same_count_once():
    news = News(tick=3600)
    told, woken = [], threading.Barrier(21)

    def stream():
        woken.wait()
        told.append(news.wait(0, seconds=30)[0])

    streams = [threading.Thread(target=stream) for _ in range(20)]
    for each in streams:
        each.start()
    woken.wait()
    news.wake()
    for each in streams:
        each.join()
    assert told == [1] * 20


def test_without_news_a_wait_ends_with_the_count_it_was_given_on_a_clock_shared_by_every_stream():
    news = News(tick=3600)
    news.wake()
    for _ in range(3):
        told, moment = news.wait(1, seconds=0.25)
        assert told == 1 and math.isclose(moment / 0.25, round(moment / 0.25), abs_tol=1e-6)
