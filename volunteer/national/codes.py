"""Code tables of 全国志愿服务信息系统 (CONTRACT section 10), as (code, national name) pairs.

Taken from the national system's public front end (zql1228/nvsi-antdv-vue3,
src/utils/codevalue/index.js): 证件类型 nvsiAlbp0065, 性别 nvsiAlbp0067, 政治面貌 nvsiAlbp0007
(GB/T 4762), 民族 nvsiAlbp0008 (GB 3304 plus 97 其他, 98 外国血统中国籍人士), 学历 nvsiAlbp0017
(GB/T 4658 two-digit), 从业状况 nvsiAlbp0018, 个人特长 nvsiAlbp0039, 服务对象 nvsiAlbx0014 and
服务类别 nvsiAlbx0009.  Names are the national system's own spelling (exports write them), except
35 撒拉族 and 36 毛南族, spelled as GB 3304 has them (the front end's 撤拉族/毛难族 stay as aliases).
证件类型 is nvsiAlbp0065 (01–08, 08 其他有效国籍旅行证件), not the older nvsiAlbp0004 (99 其他).

``find(table, text)`` is the one reader of a typed value: a code, a national name or an alias.
"""

from __future__ import annotations

import re

ID_TYPES = (
    ("01", "内地居民身份证"), ("02", "香港居民身份证"), ("03", "澳门居民身份证"), ("04", "台湾居民身份证"),
    ("05", "护照"), ("06", "军官证"), ("07", "士兵证"), ("08", "其他有效国籍旅行证件"),
)
GENDERS = (("1", "男"), ("2", "女"))
POLITICAL_STATUSES = (
    ("01", "中国共产党党员"), ("02", "中国共产党预备党员"), ("03", "中国共产主义青年团团员"),
    ("04", "中国国民党革命委员会会员"), ("05", "中国民主同盟盟员"), ("06", "中国民主建国会会员"),
    ("07", "中国民主促进会会员"), ("08", "中国农工民主党党员"), ("09", "中国致公党党员"),
    ("10", "九三学社社员"), ("11", "台湾民主自治同盟盟员"), ("12", "无党派民主人士"), ("13", "群众"),
    ("20", "其他"),
)
ETHNIC_GROUPS = tuple((f"{i:02d}", name) for i, name in enumerate((
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族"), start=1)) + (
    ("97", "其他"), ("98", "外国血统中国籍人士"))
EDUCATION = (
    ("11", "博士研究生"), ("14", "硕士研究生"), ("20", "大学本科"), ("30", "大学专科和专科学校"),
    ("40", "中等专业学校或中等技术学校"), ("50", "技工学校"), ("60", "高中"), ("70", "初中"), ("80", "小学"),
    ("90", "幼儿园"), ("91", "学龄前"), ("00", "文盲或半文盲"), ("98", "特殊教育"), ("99", "其他"),
)
OCCUPATIONS = (
    ("11", "国家公务员"), ("13", "专业技术人员"), ("17", "职员"), ("21", "企业管理人员"), ("24", "工人"),
    ("27", "农民"), ("31", "学生"), ("37", "现役军人"), ("51", "自由职业"), ("54", "个体经营者"),
    ("70", "无业人员"), ("80", "退（离）休人员"), ("90", "其他"),
)
SKILLS = (
    ("01", "医疗急救"), ("02", "体育竞技"), ("03", "驾驶运输"), ("04", "法律服务"), ("05", "信息技术"),
    ("06", "经营管理"), ("07", "公共关系"), ("08", "教育培训"), ("09", "电器维修"), ("10", "安全保卫"),
    ("11", "财会金融"), ("12", "设计创意"), ("13", "客服接待"), ("14", "物业养护"), ("15", "新闻写作"),
    ("16", "精通外语"), ("17", "音乐"), ("18", "心理咨询"), ("19", "护理照护"), ("20", "手工制作"),
    ("21", "文化艺术"), ("22", "网络技术"), ("23", "摄像摄影"), ("99", "其他"),
)
SERVICE_TARGETS = (
    ("01", "儿童"), ("02", "妇女"), ("03", "老年人"), ("04", "残障人士"), ("05", "优抚对象"), ("06", "贫困家庭"),
    ("07", "特殊群体"), ("08", "病患者"), ("09", "农村居民"), ("10", "城镇居民"), ("11", "社会公众"),
    ("13", "纳税人缴费人"), ("99", "其他"),
)
SERVICE_CATEGORIES = (
    ("0001", "社区服务"), ("0002", "扶贫减贫"), ("0003", "支教助学"), ("0004", "卫生健康"), ("0005", "法律服务"),
    ("0006", "环境保护"), ("0007", "科技科普"), ("0008", "文化艺术"), ("0009", "平安综治"), ("0010", "文明风尚"),
    ("0011", "交通引导"), ("0012", "志愿消防"), ("0013", "应急救援"), ("0014", "禁毒宣传"), ("0015", "体育健身"),
    ("0016", "旅游服务"), ("0017", "关爱特殊群体"), ("0018", "大型活动"), ("0019", "海外志愿服务"),
    ("0020", "税收服务"), ("0099", "其他"),
)

# The tables by the name the mapping page and the validators use.
TABLES = {
    "id_type": ("证件类型", ID_TYPES), "gender": ("性别", GENDERS),
    "political_status": ("政治面貌", POLITICAL_STATUSES), "ethnicity": ("民族", ETHNIC_GROUPS),
    "education": ("学历", EDUCATION), "occupation": ("从业状况", OCCUPATIONS), "skill": ("个人特长", SKILLS),
    "service_target": ("服务对象", SERVICE_TARGETS), "service_category": ("服务类别", SERVICE_CATEGORIES),
}
# What a table falls back to when a value has no code of its own (CONTRACT section 10).
OTHER = {"id_type": "08", "political_status": "20", "ethnicity": "97", "education": "99", "occupation": "90",
         "skill": "99", "service_target": "99", "service_category": "0099"}

# Common spellings people type, by table: alias -> national code.
ALIASES = {
    "id_type": {"居民身份证": "01", "身份证": "01", "二代身份证": "01", "香港身份证": "02", "澳门身份证": "03",
                "台湾身份证": "04"},
    "gender": {"男性": "1", "女性": "2"},
    "political_status": {
        "中共党员": "01", "党员": "01", "共产党员": "01", "中共预备党员": "02", "预备党员": "02",
        "共青团员": "03", "团员": "03", "民革": "04", "民革党员": "04", "民盟": "05", "民盟盟员": "05",
        "民建": "06", "民建会员": "06", "民进": "07", "民进会员": "07", "农工党": "08", "农工党党员": "08",
        "致公党": "09", "致公党党员": "09", "九三学社": "10", "台盟": "11", "台盟盟员": "11",
        "无党派人士": "12", "无党派": "12", "民主党派成员": "20", "民主党派": "20"},
    "ethnicity": {"汉": "01", "撤拉族": "35", "毛难族": "36"},
    "education": {"博士": "11", "研究生": "14", "硕士": "14", "本科": "20", "大学": "20", "大专": "30", "专科": "30",
                  "中专": "40", "中技": "40", "职高": "40", "技校": "50", "高中及以下": "60", "初中及以下": "70",
                  "文盲": "00"},
    # The roster's 特长 is free text: the words people write for each national skill.
    "skill": {"急救": "01", "医疗救护": "01", "救护": "01", "驾驶": "03", "司机": "03", "法律咨询": "04", "法律": "04",
              "电脑": "05", "财会": "11", "会计": "11", "设计": "12", "写作": "15", "外语": "16", "外语翻译": "16",
              "翻译": "16", "英语": "16", "唱歌": "17", "乐器": "17", "心理疏导": "18", "心理": "18", "护理": "19",
              "书法": "21", "绘画": "21", "摄影": "23", "摄像": "23"},
    "occupation": {"公务员": "11", "在校学生": "31", "退休": "80", "退休人员": "80", "离休": "80", "无业": "70",
                   "个体": "54", "军人": "37"},
}

_SPACE = re.compile(r"\s+")
_BY_TEXT = {}
for _key, (_label, _rows) in TABLES.items():
    index = {}
    for _code, _name in _rows:
        index[_code] = _code
        index[_name] = _code
    for _alias, _code in ALIASES.get(_key, {}).items():
        index.setdefault(_alias, _code)
    _BY_TEXT[_key] = index
NAMES = {key: dict(rows) for key, (_label, rows) in TABLES.items()}


def find(table: str, text) -> str | None:
    """The national code that ``text`` (a code, a national name or an alias) stands for, or None.

    A number from a spreadsheet cell (3 for 03) is read as its two- or four-digit code.
    """
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool) and float(text).is_integer():
        width = len(next(iter(NAMES[table])))
        text = str(int(text)).zfill(width)
    key = _SPACE.sub("", str(text)).replace("(", "（").replace(")", "）")
    return _BY_TEXT[table].get(key)


def name_of(table: str, code: str | None) -> str | None:
    """The national name of a code (None for None or an unknown code)."""
    return NAMES[table].get(code) if code else None


def choices(table: str) -> list[tuple[str, str]]:
    """(code, 'code name') pairs for a drop-down, in code order."""
    return [(code, f"{code} {name}") for code, name in sorted(TABLES[table][1])]
