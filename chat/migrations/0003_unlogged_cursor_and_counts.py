"""The cursor and the per-day counts skip PostgreSQL's write-ahead log (UNLOGGED): writing them costs
no WAL flush at commit, which was most of an answer's time on a busy disk. A crash (not a clean
restart) empties them: a 30-minute cursor and the day's counts so far; nothing else depends on them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("chat", "0002_search")]

    operations = [
        migrations.RunSQL("ALTER TABLE chat_conversation SET UNLOGGED;", "ALTER TABLE chat_conversation SET LOGGED;"),
        migrations.RunSQL("ALTER TABLE chat_intentcount SET UNLOGGED;", "ALTER TABLE chat_intentcount SET LOGGED;"),
    ]
