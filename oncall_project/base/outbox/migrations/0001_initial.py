# The Notification model, moved here from the escalation app (escalation 0003). Its table
# (escalation_notification) already exists with its rows: only Django's state is created. The
# content type moves with the model, so permissions granted on notifications are kept.

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_types = apps.get_model('contenttypes', 'ContentType')
    if not content_types.objects.filter(app_label='outbox', model='notification').exists():
        content_types.objects.filter(app_label='escalation', model='notification').update(
            app_label='outbox'
        )


def restore_content_type(apps, schema_editor):
    content_types = apps.get_model('contenttypes', 'ContentType')
    if not content_types.objects.filter(app_label='escalation', model='notification').exists():
        content_types.objects.filter(app_label='outbox', model='notification').update(
            app_label='escalation'
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('escalation', '0003_notification_moves_to_outbox'),
        ('teams', '0002_oncall_version_and_weight_cap'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('kind', models.CharField(max_length=40)),
                        ('channel', models.CharField(help_text='Channel id, or a user id for a DM.', max_length=32)),
                        ('thread_ts', models.CharField(blank=True, max_length=32)),
                        ('text', models.TextField()),
                        ('blocks', models.JSONField(blank=True, default=list)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed'), ('skipped', 'Skipped')], default='pending', max_length=10)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('last_error', models.TextField(blank=True)),
                        ('idempotency_key', models.CharField(max_length=200, unique=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('slack_ts', models.CharField(blank=True, max_length=32)),
                        ('update_of', models.CharField(blank=True, help_text='Idempotency key of the posted message this one edits (chat.update).', max_length=200)),
                        ('escalation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='notifications', to='escalation.escalation')),
                        ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='teams.team')),
                    ],
                    options={
                        'db_table': 'escalation_notification',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='escalation__status_baaca9_idx'), models.Index(condition=models.Q(('update_of', ''), _negated=True), fields=['update_of'], name='notification_update_of')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'sent', 'failed', 'skipped'])), name='notification_status_valid')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
