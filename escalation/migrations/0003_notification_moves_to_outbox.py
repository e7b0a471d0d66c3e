# The Notification model moved to the outbox app (oncall_project.base.outbox), below every app
# that sends messages. Only Django's state changes here: the table, its rows and its indexes
# stay where they are, and the outbox app takes them over (its 0001_initial).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('escalation', '0002_slack_signature_and_update_of'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Notification')],
            database_operations=[],
        ),
    ]
