"""The governed vocabularies as data (terms and aliases, seeded with the built-ins), governed
provider/format/extended capability fields, and ``quantization`` on catalog rows."""

import django.db.models.deletion
import inventory.models.fields
from django.db import migrations, models


def seed_built_ins(apps, schema_editor):
    from inventory.models.vocabulary import sync_built_ins

    sync_built_ins(apps.get_model("inventory", "VocabularyTerm"), apps.get_model("inventory", "VocabularyAlias"))


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0009_change_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='availablemodel',
            name='quantization',
            field=inventory.models.fields.StrippedCharField(blank=True, help_text='Quantization as the source names it (Q4_K_M, int4, fp8, awq…); free text, trimmed, white space collapsed.', max_length=64),
        ),
        migrations.AlterField(
            model_name='availablemodel',
            name='extended_capabilities',
            field=inventory.models.fields.ExtendedCapabilitiesField(blank=True, default='', help_text='Features from the extended capability vocabulary (pdf_input, web_search…).'),
        ),
        migrations.AlterField(
            model_name='availablemodel',
            name='format',
            field=inventory.models.fields.VocabularyField(blank=True, default='', help_text='Artifact format from the format vocabulary (gguf, safetensors, pt, mlx…).', max_length=64, vocabulary='format'),
        ),
        migrations.AlterField(
            model_name='availablemodel',
            name='provider_hint',
            field=inventory.models.fields.VocabularyField(blank=True, help_text='Provider this model is meant for, if any (from the provider vocabulary).', max_length=100, vocabulary='provider'),
        ),
        migrations.AlterField(
            model_name='engine',
            name='provider',
            field=inventory.models.fields.VocabularyField(error_messages={'blank': 'name and provider are required', 'null': 'name and provider are required'}, help_text='Runtime or provider from the provider vocabulary (aliases accepted, e.g. llama.cpp for llamacpp): ollama, llamacpp, vllm, openai, whisper_cpp…', max_length=100, vocabulary='provider'),
        ),
        migrations.CreateModel(
            name='VocabularyTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('capability', 'capability'), ('feature', 'extended capability'), ('format', 'format'), ('provider', 'provider')], max_length=20)),
                ('name', models.CharField(help_text="Canonical name: lower-case letters, digits, '_', '.', '+'.", max_length=64)),
                ('label', models.CharField(blank=True, max_length=200)),
                ('description', models.TextField(blank=True)),
                ('built_in', models.BooleanField(default=False, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'vocabulary term',
                'db_table': 'vocabulary_term',
                'ordering': ['kind', 'id'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'name'), name='vocabulary_term_unique_name')],
            },
        ),
        migrations.CreateModel(
            name='VocabularyAlias',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('capability', 'capability'), ('feature', 'extended capability'), ('format', 'format'), ('provider', 'provider')], editable=False, max_length=20)),
                ('alias', models.CharField(help_text='Another spelling accepted for the term (e.g. llama.cpp).', max_length=64)),
                ('built_in', models.BooleanField(default=False, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('term', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='aliases', to='inventory.vocabularyterm')),
            ],
            options={
                'verbose_name': 'vocabulary alias',
                'verbose_name_plural': 'vocabulary aliases',
                'db_table': 'vocabulary_alias',
                'ordering': ['kind', 'id'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'alias'), name='vocabulary_alias_unique_alias')],
            },
        ),
        migrations.RunPython(seed_built_ins, migrations.RunPython.noop),
    ]
