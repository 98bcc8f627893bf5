from datetime import datetime, timedelta, timezone

from ckanext.qingyang.core.backups import drill_due, parse_stamp, to_delete, to_keep

START = datetime(2025, 1, 1, 2, 0, tzinfo=timezone.utc)


def nightly(days: int) -> list[str]:
    return [(START + timedelta(days=d)).strftime("%Y%m%dT%H%M%SZ") for d in range(days)]


def test_two_years_of_nightly_backups_keep_7_daily_4_weekly_12_monthly():
    names = nightly(730)
    keep = sorted(to_keep(names))
    newest = parse_stamp(names[-1])
    days = {parse_stamp(n).date() for n in keep}
    assert all((newest - timedelta(days=d)).date() in days for d in range(7))   # the last 7 days
    weeks = {parse_stamp(n).isocalendar()[:2] for n in keep}
    assert len(weeks) >= 4
    months = {(parse_stamp(n).year, parse_stamp(n).month) for n in keep}
    assert len(months) == 12 and (2025, 1) not in months   # the oldest year is gone
    assert len(keep) <= 7 + 4 + 12
    assert set(to_delete(names)) == set(names) - set(keep)


def test_the_newest_backup_of_a_period_is_the_one_kept():
    names = ["20261201T020000Z", "20261201T140000Z"]
    assert to_keep(names, daily=1, weekly=0, monthly=0) == {"20261201T140000Z"}


def test_a_folder_that_is_not_a_backup_is_never_deleted():
    names = nightly(40) + ["notes", "20261301T000000Z"]
    assert "notes" not in to_delete(names) and "20261301T000000Z" not in to_delete(names)


def test_few_backups_are_all_kept():
    assert to_delete(nightly(5)) == []


def test_a_restore_drill_is_due_once_a_month():
    now = datetime(2026, 12, 7, 2, tzinfo=timezone.utc)
    assert drill_due([], now)
    assert drill_due(["20261130T020000Z"], now)
    assert not drill_due(["20261201T020000Z"], now)
