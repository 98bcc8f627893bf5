"""Alembic environment for the qingyang plugin (run by `ckan db upgrade`)."""
import os

from alembic import context
from sqlalchemy import engine_from_config, pool

from ckanext.qingyang.model import metadata

config = context.config
name = os.path.basename(os.path.dirname(__file__))
version_table = f"{name}_alembic_version"


def only_ours(obj, object_name, type_, reflected, compare_to):
    return type_ != "table" or object_name.startswith(name)


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True, version_table=version_table, include_object=only_ours)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = engine_from_config(config.get_section(config.config_ini_section),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          version_table=version_table, include_object=only_ours)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
