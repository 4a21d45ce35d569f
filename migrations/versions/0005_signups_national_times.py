"""sign-ups and registration, national codes, time data fix

- `activity_signups`: status (confirmed / waitlisted / cancelled…), queue order, promotion,
  cancellation and leave: the hard quota and its 候补 list. Existing sign-ups keep their order
  (queued_at = created_at).
- `volunteers.verified` (self-registered people are 未核实 until confirmed in person; everyone
  registered before is verified), `volunteers.national_no` (全国志愿者编号).
- `national_code_map` and `service_categories.national_code`: today's stored values mapped to the
  national code tables (volunteer/national/migration.py, frozen here).
- Activity times typed as 'H:MM' become 'HH:MM' (volunteer/activities/migration.py, frozen here).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 15:58:06.904160

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Frozen on this day from volunteer/national/migration.py and volunteer/activities/migration.py.
NATIONAL_UP = ["UPDATE service_categories SET national_code = CASE name WHEN '0001' THEN '0001' WHEN '0002' THEN '0002' "
 "WHEN '0003' THEN '0003' WHEN '0004' THEN '0004' WHEN '0005' THEN '0005' WHEN '0006' THEN '0006' WHEN "
 "'0007' THEN '0007' WHEN '0008' THEN '0008' WHEN '0009' THEN '0009' WHEN '0010' THEN '0010' WHEN '0011' "
 "THEN '0011' WHEN '0012' THEN '0012' WHEN '0013' THEN '0013' WHEN '0014' THEN '0014' WHEN '0015' THEN "
 "'0015' WHEN '0016' THEN '0016' WHEN '0017' THEN '0017' WHEN '0018' THEN '0018' WHEN '0019' THEN '0019' "
 "WHEN '0020' THEN '0020' WHEN '0099' THEN '0099' WHEN '为民服务' THEN '0001' WHEN '交通引导' THEN '0011' WHEN "
 "'体育健身' THEN '0015' WHEN '关爱特殊群体' THEN '0017' WHEN '其他' THEN '0099' WHEN '助力创全' THEN '0010' WHEN '卫生健康' "
 "THEN '0004' WHEN '垃圾分类' THEN '0006' WHEN '大型活动' THEN '0018' WHEN '平安守护' THEN '0009' WHEN '平安综治' THEN "
 "'0009' WHEN '应急救援' THEN '0013' WHEN '志愿消防' THEN '0012' WHEN '扶老助残' THEN '0017' WHEN '扶贫减贫' THEN '0002' "
 "WHEN '支教助学' THEN '0003' WHEN '文化艺术' THEN '0008' WHEN '文明交通' THEN '0011' WHEN '文明传播' THEN '0010' WHEN "
 "'文明风尚' THEN '0010' WHEN '旅游服务' THEN '0016' WHEN '法律服务' THEN '0005' WHEN '海外志愿服务' THEN '0019' WHEN '环境保护' "
 "THEN '0006' WHEN '疫情防控' THEN '0004' WHEN '社区服务' THEN '0001' WHEN '禁毒宣传' THEN '0014' WHEN '科技科普' THEN "
 "'0007' WHEN '税收服务' THEN '0020' ELSE '0099' END",
 "INSERT INTO national_code_map (field, value, code, updated_at) SELECT 'id_type', id_type, CASE id_type "
 "WHEN '01' THEN '01' WHEN '02' THEN '02' WHEN '03' THEN '03' WHEN '04' THEN '04' WHEN '05' THEN '05' WHEN "
 "'06' THEN '06' WHEN '07' THEN '07' WHEN '08' THEN '08' WHEN '二代身份证' THEN '01' WHEN '其他有效国籍旅行证件' THEN '08' "
 "WHEN '内地居民身份证' THEN '01' WHEN '军官证' THEN '06' WHEN '台湾居民身份证' THEN '04' WHEN '台湾身份证' THEN '04' WHEN '士兵证' "
 "THEN '07' WHEN '居民身份证' THEN '01' WHEN '护照' THEN '05' WHEN '澳门居民身份证' THEN '03' WHEN '澳门身份证' THEN '03' WHEN "
 "'身份证' THEN '01' WHEN '香港居民身份证' THEN '02' WHEN '香港身份证' THEN '02' ELSE '08' END, CURRENT_TIMESTAMP FROM "
 "volunteers WHERE id_type IS NOT NULL AND id_type <> '' AND NOT EXISTS (SELECT 1 FROM national_code_map m "
 "WHERE m.field = 'id_type' AND m.value = volunteers.id_type) GROUP BY id_type",
 "INSERT INTO national_code_map (field, value, code, updated_at) SELECT 'gender', gender, CASE gender WHEN "
 "'1' THEN '1' WHEN '2' THEN '2' WHEN '女' THEN '2' WHEN '女性' THEN '2' WHEN '男' THEN '1' WHEN '男性' THEN '1' "
 "END, CURRENT_TIMESTAMP FROM volunteers WHERE gender IS NOT NULL AND gender <> '' AND CASE gender WHEN '1' "
 "THEN '1' WHEN '2' THEN '2' WHEN '女' THEN '2' WHEN '女性' THEN '2' WHEN '男' THEN '1' WHEN '男性' THEN '1' END "
 "IS NOT NULL AND NOT EXISTS (SELECT 1 FROM national_code_map m WHERE m.field = 'gender' AND m.value = "
 'volunteers.gender) GROUP BY gender',
 "INSERT INTO national_code_map (field, value, code, updated_at) SELECT 'political_status', "
 "political_status, CASE political_status WHEN '01' THEN '01' WHEN '02' THEN '02' WHEN '03' THEN '03' WHEN "
 "'04' THEN '04' WHEN '05' THEN '05' WHEN '06' THEN '06' WHEN '07' THEN '07' WHEN '08' THEN '08' WHEN '09' "
 "THEN '09' WHEN '10' THEN '10' WHEN '11' THEN '11' WHEN '12' THEN '12' WHEN '13' THEN '13' WHEN '20' THEN "
 "'20' WHEN '中共党员' THEN '01' WHEN '中共预备党员' THEN '02' WHEN '中国共产主义青年团团员' THEN '03' WHEN '中国共产党党员' THEN '01' "
 "WHEN '中国共产党预备党员' THEN '02' WHEN '中国农工民主党党员' THEN '08' WHEN '中国国民党革命委员会会员' THEN '04' WHEN '中国民主促进会会员' THEN "
 "'07' WHEN '中国民主同盟盟员' THEN '05' WHEN '中国民主建国会会员' THEN '06' WHEN '中国致公党党员' THEN '09' WHEN '九三学社' THEN '10' "
 "WHEN '九三学社社员' THEN '10' WHEN '党员' THEN '01' WHEN '共产党员' THEN '01' WHEN '共青团员' THEN '03' WHEN '其他' THEN "
 "'20' WHEN '农工党' THEN '08' WHEN '农工党党员' THEN '08' WHEN '台湾民主自治同盟盟员' THEN '11' WHEN '台盟' THEN '11' WHEN "
 "'台盟盟员' THEN '11' WHEN '团员' THEN '03' WHEN '无党派' THEN '12' WHEN '无党派人士' THEN '12' WHEN '无党派民主人士' THEN '12' "
 "WHEN '民主党派' THEN '20' WHEN '民主党派成员' THEN '20' WHEN '民建' THEN '06' WHEN '民建会员' THEN '06' WHEN '民盟' THEN "
 "'05' WHEN '民盟盟员' THEN '05' WHEN '民进' THEN '07' WHEN '民进会员' THEN '07' WHEN '民革' THEN '04' WHEN '民革党员' THEN "
 "'04' WHEN '群众' THEN '13' WHEN '致公党' THEN '09' WHEN '致公党党员' THEN '09' WHEN '预备党员' THEN '02' ELSE '20' END, "
 "CURRENT_TIMESTAMP FROM volunteers WHERE political_status IS NOT NULL AND political_status <> '' AND NOT "
 "EXISTS (SELECT 1 FROM national_code_map m WHERE m.field = 'political_status' AND m.value = "
 'volunteers.political_status) GROUP BY political_status',
 "INSERT INTO national_code_map (field, value, code, updated_at) SELECT 'education', education, CASE "
 "education WHEN '00' THEN '00' WHEN '11' THEN '11' WHEN '14' THEN '14' WHEN '20' THEN '20' WHEN '30' THEN "
 "'30' WHEN '40' THEN '40' WHEN '50' THEN '50' WHEN '60' THEN '60' WHEN '70' THEN '70' WHEN '80' THEN '80' "
 "WHEN '90' THEN '90' WHEN '91' THEN '91' WHEN '98' THEN '98' WHEN '99' THEN '99' WHEN '专科' THEN '30' WHEN "
 "'中专' THEN '40' WHEN '中技' THEN '40' WHEN '中等专业学校或中等技术学校' THEN '40' WHEN '其他' THEN '99' WHEN '初中' THEN '70' "
 "WHEN '初中及以下' THEN '70' WHEN '博士' THEN '11' WHEN '博士研究生' THEN '11' WHEN '大专' THEN '30' WHEN '大学' THEN '20' "
 "WHEN '大学专科和专科学校' THEN '30' WHEN '大学本科' THEN '20' WHEN '学龄前' THEN '91' WHEN '小学' THEN '80' WHEN '幼儿园' THEN "
 "'90' WHEN '技工学校' THEN '50' WHEN '技校' THEN '50' WHEN '文盲' THEN '00' WHEN '文盲或半文盲' THEN '00' WHEN '本科' THEN "
 "'20' WHEN '特殊教育' THEN '98' WHEN '研究生' THEN '14' WHEN '硕士' THEN '14' WHEN '硕士研究生' THEN '14' WHEN '职高' THEN "
 "'40' WHEN '高中' THEN '60' WHEN '高中及以下' THEN '60' ELSE '99' END, CURRENT_TIMESTAMP FROM volunteers WHERE "
 "education IS NOT NULL AND education <> '' AND NOT EXISTS (SELECT 1 FROM national_code_map m WHERE m.field "
 "= 'education' AND m.value = volunteers.education) GROUP BY education"]
NATIONAL_DOWN = ['DELETE FROM national_code_map', "UPDATE service_categories SET national_code = '0099'"]
TIMES_UP = ["UPDATE activities SET start_time = '0' || start_time WHERE start_time LIKE '_:__'",
 "UPDATE activities SET end_time = '0' || end_time WHERE end_time LIKE '_:__'"]


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('national_code_map',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_national_code_map')),
    sa.UniqueConstraint('field', 'value', name='uq_national_code_map_field_value')
    )
    # SQLite cannot ADD a column whose default is not a constant (queued_at): copy the table
    # (it carries no triggers).
    with op.batch_alter_table('activity_signups', schema=None, recreate='always') as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='confirmed', nullable=False))
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False))
        batch_op.add_column(sa.Column('promoted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('on_leave', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Plain ALTER TABLE ... ADD COLUMN: a batch copy of service_categories or volunteers would drop
    # the figures and report-facts triggers on them.
    op.add_column('service_categories', sa.Column('national_code', sa.String(length=4), server_default='0099', nullable=False))

    op.add_column('volunteers', sa.Column('national_no', sa.String(length=50), nullable=True))
    op.add_column('volunteers', sa.Column('verified', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_index('ix_volunteers_national_no', 'volunteers', ['national_no'], unique=False)

    op.execute("UPDATE activity_signups SET queued_at = created_at")
    for statement in NATIONAL_UP + TIMES_UP:
        op.execute(statement)
    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    for statement in NATIONAL_DOWN:
        op.execute(statement)
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of volunteers or
    # service_categories would drop the figures triggers on them.
    op.drop_index('ix_volunteers_national_no', table_name='volunteers')
    op.drop_column('volunteers', 'verified')
    op.drop_column('volunteers', 'national_no')
    op.drop_column('service_categories', 'national_code')

    with op.batch_alter_table('activity_signups', schema=None, recreate='always') as batch_op:
        batch_op.drop_column('on_leave')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('promoted_at')
        batch_op.drop_column('queued_at')
        batch_op.drop_column('status')

    op.drop_table('national_code_map')
    # ### end Alembic commands ###
