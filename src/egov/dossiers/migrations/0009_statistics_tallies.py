"""Statistics tallies (DossierTally), filled from the dossiers already there."""

import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models


def fill_tallies(apps, schema_editor):
    from egov.dossiers import tallies

    tallies.rebuild(dossier_model=apps.get_model("dossiers", "Dossier"),
                    tally_model=apps.get_model("dossiers", "DossierTally"))


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0008_list_indexes'),
        ('org', '0001_initial'),
        ('procedures', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='DossierTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('received_online', models.IntegerField(default=0)),
                ('received_counter', models.IntegerField(default=0)),
                ('early', models.IntegerField(default=0)),
                ('on_time', models.IntegerField(default=0)),
                ('late', models.IntegerField(default=0)),
                ('refused', models.IntegerField(default=0)),
                ('withdrawn', models.IntegerField(default=0)),
                ('waiting', models.IntegerField(default=0)),
                ('running', models.IntegerField(default=0)),
                ('returned', models.IntegerField(default=0)),
                ('finished', models.IntegerField(default=0)),
                ('agency', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.agency')),
                ('procedure', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='procedures.procedure')),
            ],
            options={
                'verbose_name': 'số liệu hồ sơ theo ngày',
                'verbose_name_plural': 'số liệu hồ sơ theo ngày',
                'indexes': [models.Index(condition=models.Q(('running__gt', 0), ('waiting__gt', 0), _connector='OR'), fields=['agency', 'day'], include=('running', 'waiting'), name='dossier_tally_open')],
                'constraints': [models.UniqueConstraint(fields=('agency', 'day', 'procedure'), name='dossier_tally_unique'), models.CheckConstraint(condition=models.Q(('received_online__gte', 0)), name='dossier_tally_received_online_gte_0'), models.CheckConstraint(condition=models.Q(('received_counter__gte', 0)), name='dossier_tally_received_counter_gte_0'), models.CheckConstraint(condition=models.Q(('early__gte', 0)), name='dossier_tally_early_gte_0'), models.CheckConstraint(condition=models.Q(('on_time__gte', 0)), name='dossier_tally_on_time_gte_0'), models.CheckConstraint(condition=models.Q(('late__gte', 0)), name='dossier_tally_late_gte_0'), models.CheckConstraint(condition=models.Q(('refused__gte', 0)), name='dossier_tally_refused_gte_0'), models.CheckConstraint(condition=models.Q(('withdrawn__gte', 0)), name='dossier_tally_withdrawn_gte_0'), models.CheckConstraint(condition=models.Q(('waiting__gte', 0)), name='dossier_tally_waiting_gte_0'), models.CheckConstraint(condition=models.Q(('running__gte', 0)), name='dossier_tally_running_gte_0'), models.CheckConstraint(condition=models.Q(('returned__gte', 0)), name='dossier_tally_returned_gte_0'), models.CheckConstraint(condition=models.Q(('finished__gte', 0)), name='dossier_tally_finished_gte_0'), models.CheckConstraint(condition=models.Q(('received_online', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('early'), '+', models.F('on_time')), '+', models.F('late')), '+', models.F('refused')), '+', models.F('withdrawn')), '+', models.F('waiting')), '+', models.F('running')), '-', models.F('received_counter')))), name='dossier_tally_buckets_sum_to_received'), models.CheckConstraint(condition=models.Q(('returned__lte', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('early'), '+', models.F('on_time')), '+', models.F('late')))), name='dossier_tally_returned_are_resolved')],
            },
        ),
        migrations.RunPython(fill_tallies, migrations.RunPython.noop),
    ]
