"""check-in codes and host notes

Each registration gets a random check-in code (what a badge's QR names); the rows there
already get theirs here. Hosts' notes on registrations get a table of their own.

Revision ID: 816f17766442
Revises: d49f52a12e51
Create Date: 2026-12-01 23:49:17.768912

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '816f17766442'
down_revision = 'd49f52a12e51'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('host_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('emailed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['host_id'], ['hosts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('host_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_host_notes_registration_id'), ['registration_id'], unique=False)

    # Added in place, NOT NULL with an empty default, then filled: altering the column afterwards
    # would make SQLite copy the table, and dropping the old copy with foreign keys on would
    # delete every seat and sign-in that points at it (ON DELETE CASCADE).
    op.add_column('registrations', sa.Column('checkin_code', sa.String(length=24), nullable=False, server_default=''))
    # A random code for every registration there already (never derived from its id).
    registrations = sa.table('registrations', sa.column('id', sa.Integer), sa.column('checkin_code', sa.String))
    connection = op.get_bind()
    for (registration_id,) in connection.execute(sa.select(registrations.c.id)).all():
        connection.execute(registrations.update().where(registrations.c.id == registration_id)
                           .values(checkin_code=secrets.token_urlsafe(12)))
    if connection.dialect.name != 'sqlite':  # SQLite keeps the unused default (see above)
        op.alter_column('registrations', 'checkin_code', server_default=None)
    op.create_index(op.f('ix_registrations_checkin_code'), 'registrations', ['checkin_code'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_registrations_checkin_code'), table_name='registrations')
    if op.get_bind().dialect.name == 'sqlite':
        # In place (SQLite 3.35 and later): a batch copy would cascade-delete seats and sign-ins.
        op.execute('ALTER TABLE registrations DROP COLUMN checkin_code')
    else:
        op.drop_column('registrations', 'checkin_code')

    with op.batch_alter_table('host_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_host_notes_registration_id'))

    op.drop_table('host_notes')
