"""`hirebridge worker`: the Huey consumer that runs background jobs and periodic schedules."""

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = "Run the background worker (Huey consumer; queue from HUEY_URL)."
