"""The upload form of the import page (kind, file, skip invalid rows)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from ..forms import choices
from .models import IMPORT_KINDS


class UploadForm(FlaskForm):
    kind = SelectField("导入内容", choices=choices(IMPORT_KINDS.items()), validate_choice=False)
    file = FileField("表格文件（.xlsx .xls .et .ods .csv）", validators=[FileRequired("请选择要导入的 Excel 文件。")],
                     render_kw={"accept": ".xlsx,.xlsm,.xls,.et,.ods,.csv"},
                     description="不超过 20 MB；表头须在前 10 行内。上传后先预览检查结果，确认后才写入。")
    skip_invalid = BooleanField("跳过有误的行，只导入有效的行",
                                description="不勾选时，只要有一行有误，整个文件都不导入。")
