"""The live board announces no award or honour before the final results, and says when it shows them."""
from tests.competitions.results_helpers import TIED, close_scoring, page, publish_final, publish_provisional, score

NOT_FINAL = "非最终成绩"


def test_no_awards_or_honours_on_the_live_board_before_the_final_results(client, cup, db, users):
    staff, code = users["staff"], cup["competition"].code
    cup["event"].honour_name = "推荐五一劳动奖章"
    cup["event"].tie_break = "practical,theory"
    cup["event"].award_tiers[0].prize = 10000
    score(cup, TIED)  # every sheet signed while the competition is under way: the board shows all
    url = f"/competitions/{code}/live/HG"

    running = page(client, url)
    assert "86.00" in running and NOT_FINAL in running and 'hx-trigger="every 15s"' in running
    assert "一等奖" not in running and "推荐五一劳动奖章" not in running and "10000" not in running
    assert 'data-testid="award-' not in running
    assert "同分，按实操成绩区分" in running  # how ranks were decided is no award: it stays

    close_scoring(cup, staff)
    closed = page(client, url)
    assert NOT_FINAL in closed and "一等奖" not in closed and "hx-trigger" not in closed

    publish_provisional(cup, staff)
    provisional = page(client, url)
    assert NOT_FINAL in provisional and "一等奖" not in provisional and "推荐五一劳动奖章" not in provisional
    assert f'href="/competitions/{code}/results/HG"' in provisional  # where the 公示 (with awards) is

    publish_final(cup, staff)
    final = page(client, url)
    assert NOT_FINAL not in final and "以下为最终成绩" in final
    assert f'href="/competitions/{code}/results/HG"' in final
    assert "一等奖" in final and "推荐五一劳动奖章" in final and "10000" in final
