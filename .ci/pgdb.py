"""Create or drop a PostgreSQL database on the local server: `pgdb.py create|drop NAME`."""

import sys

from psycopg import connect, sql

action, name = sys.argv[1], sys.argv[2]
with connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
    if action == "create":
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    else:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
