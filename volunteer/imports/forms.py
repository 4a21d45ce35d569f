"""The import page's forms: the upload (kind, file, skip invalid rows) and the preview's column mapping."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField

from ..excel.columns import get_kind
from ..forms import choices
from .models import IMPORT_KINDS


class UploadForm(FlaskForm):
    kind = SelectField("导入内容", choices=choices(IMPORT_KINDS.items()), validate_choice=False)
    file = FileField("表格文件（.xlsx .xls .et .ods .csv）", validators=[FileRequired("请选择要导入的 Excel 文件。")],
                     render_kw={"accept": ".xlsx,.xlsm,.xls,.et,.ods,.csv"},
                     description="不超过 20 MB；表头须在前 10 行内。上传后先预览检查结果，确认后才写入。")
    skip_invalid = BooleanField("跳过有误的行，只导入有效的行",
                                description="不勾选时，只要有一行有误，整个文件都不导入。")


class RemapForm(FlaskForm):
    """The preview's column mapping: one select per column of the file (the fields of the
    import's kind, or 不导入), preset to what the guesser chose; ``chosen()`` reads it back."""

    kind = HiddenField()

    @classmethod
    def build(cls, kind: str, columns: dict, **kwargs) -> "RemapForm":
        headers = get_kind(kind).headers
        form_class = type("BoundRemapForm", (cls,), {})
        names = {}
        for i, (header, field) in enumerate(columns.items()):
            names[header] = f"col{i}"
            setattr(form_class, f"col{i}", SelectField(
                header, choices=choices([("", "不导入")] + [(h, h) for h in headers]), default=field or "",
                validate_choice=False))
        form = form_class(kind=kind, **kwargs)
        form.names = names  # header as written -> the field's name (where its error goes)
        return form

    def chosen(self) -> dict:
        return {header: self[name].data or None for header, name in self.names.items()}
