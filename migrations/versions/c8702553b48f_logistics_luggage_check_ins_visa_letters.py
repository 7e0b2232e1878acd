"""logistics: luggage, check-ins, visa letters

A delegate's checked bags (for the pickup waves), who was let in at the door on which day, the
visa letters the hosts issued (what their verification page shows), and the letter's text.
Columns are added in place: a batch copy of a table others point at would cascade-delete their
rows on SQLite (see 816f17766442).

Revision ID: c8702553b48f
Revises: 816f17766442
Create Date: 2026-12-02 01:42:41.289688

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8702553b48f'
down_revision = '816f17766442'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['host_id'], ['hosts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('registration_id', 'day')
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_registration_id'), ['registration_id'], unique=False)

    op.create_table('visa_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=210), nullable=False),
    sa.Column('stay_from', sa.Date(), nullable=False),
    sa.Column('stay_until', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('visa_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visa_letters_registration_id'), ['registration_id'], unique=False)

    op.add_column('events', sa.Column('visa_letter_text', sa.JSON(), nullable=False, server_default='{}'))
    op.add_column('registrations', sa.Column('luggage', sa.Integer(), nullable=True))



def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # In place (SQLite 3.35 and later): a batch copy would cascade-delete seats and sign-ins.
        op.execute('ALTER TABLE registrations DROP COLUMN luggage')
        op.execute('ALTER TABLE events DROP COLUMN visa_letter_text')
    else:
        op.drop_column('registrations', 'luggage')
        op.drop_column('events', 'visa_letter_text')

    with op.batch_alter_table('visa_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visa_letters_registration_id'))

    op.drop_table('visa_letters')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkins_registration_id'))
        batch_op.drop_index(batch_op.f('ix_checkins_day'))

    op.drop_table('checkins')
