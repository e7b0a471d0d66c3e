"""What the day's handoffs leave for the cold lookups of `make bench-api`: every shared day
answer forgotten, then each active team's answers for today worked out and shared, as the
handoff does once it commits a team's new day (`schedules.oncall_now.share_today`).

python bench/api_share.py   (DATABASE_URL names the benchmark's database, CACHE_URL its cache);
prints how many teams and how long it took."""

import os
import sys
import time

BATCH = 100  # as the handoff's batches


def main() -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncall_project.settings")
    import django

    django.setup()
    from django.utils import timezone

    from schedules import day_answers, oncall_now
    from teams.models import Team

    if not day_answers.enabled():
        sys.exit("bench/api_share.py: no shared cache (CACHE_URL=redis://…)")
    started = time.perf_counter()
    oncall_now.clear()
    ids = list(Team.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        teams = Team.objects.select_related("backup_line").filter(pk__in=ids[start : start + BATCH])
        oncall_now.share_today(teams, timezone.now())
    print(f"{len(ids)} teams' day answers shared in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
