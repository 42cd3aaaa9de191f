"""E-forms (tờ khai điện tử): a procedure's form definition as data, its checks and its values.

A definition is JSON kept on the procedure:

    {"title": "TỜ KHAI ĐĂNG KÝ KHAI SINH", "basis": "Mẫu ... Thông tư số 04/2024/TT-BTP",
     "paper": 1, "fields": [
        {"kind": "section", "label": "Người được khai sinh"},
        {"key": "child_name", "label": "Họ, chữ đệm, tên", "kind": "text", "required": true},
        {"key": "members", "label": "Thành viên", "kind": "group", "min": 0, "max": 10,
         "fields": [{"key": "name", "label": "Họ tên", "kind": "text"}]}]}

Kinds: text, number (min, max), date, choice (choices), unit (administrative unit, level
"province" or "commune", stored as its code), id_number (12-digit CCCD with its structure
checked), section (a heading) and group (repeatable rows of the other kinds). "paper" is the
1-based order of the required paper the filled form stands for.

Values are a dict: key -> text (dates ISO, units their code), group key -> list of such dicts.
The HTML names are `f_<key>` and `f_<group>-<row>-<key>`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from egov.core.errors import ValidationError
from egov.core.text import fold

VALUE_KINDS = {"text": "văn bản", "number": "số", "date": "ngày", "choice": "lựa chọn",
               "unit": "đơn vị hành chính", "id_number": "số định danh cá nhân"}
KINDS = {**VALUE_KINDS, "section": "tiêu đề mục", "group": "nhóm lặp lại"}
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 200
MAX_ROWS = 50
MAX_TEXT = 500

# Province codes of the 12-digit citizen ID (Thông tư 59/2021/TT-BCA, phụ lục): the province
# where the birth was registered, in the 63-province list the numbers were issued under.
ID_PROVINCES = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024",
    "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045",
    "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070",
    "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
    "094", "095", "096",
})


def id_number_problem(value: str, *, today: dt.date | None = None) -> str | None:
    """Why `value` is not a well-formed 12-digit personal ID number (số định danh cá nhân), or None.

    Digits 1-3: the province code; digit 4: century and sex (0/1 born 1900-1999 male/female,
    2/3 2000-2099, 4/5 2100-2199 ...); digits 5-6: the last two digits of the birth year;
    digits 7-12: a serial number. The year must not lie in the future.
    """
    value = (value or "").strip()
    if not value.isdigit() or not value.isascii():
        return "Số định danh cá nhân chỉ gồm chữ số."
    if len(value) != 12:
        return f"Số định danh cá nhân phải có đúng 12 chữ số (đã nhập {len(value)})."
    if value[:3] not in ID_PROVINCES:
        return f"Ba chữ số đầu “{value[:3]}” không phải mã tỉnh, thành phố nơi đăng ký khai sinh."
    year = 1900 + 100 * (int(value[3]) // 2) + int(value[4:6])
    if year > (today or dt.date.today()).year:
        return (f"Số này ghi năm sinh {year} (chữ số thứ tư “{value[3]}”, chữ số thứ năm và sáu "
                f"“{value[4:6]}”), là năm chưa tới.")
    return None


def id_number_birth(value: str) -> tuple[int, str]:
    """(birth year, "Nam"/"Nữ") encoded in a well-formed ID number."""
    return 1900 + 100 * (int(value[3]) // 2) + int(value[4:6]), ("Nam", "Nữ")[int(value[3]) % 2]


# -- definition ------------------------------------------------------------------------------
def parse_definition(text: str) -> dict:
    """The JSON an administrator typed, as a definition; ValidationError lists every problem."""
    text = (text or "").strip()
    if not text:
        return {}
    try:
        definition = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {_json_reason(exc.msg)}.",
                              code="form_json", details={"problems": []}) from None
    problems = definition_problems(definition)
    if problems:
        raise ValidationError("Mẫu tờ khai chưa hợp lệ: " + problems[0], code="form_definition",
                              details={"problems": problems})
    return definition


def _json_reason(msg: str) -> str:
    reasons = {"Expecting value": "thiếu giá trị", "Expecting ',' delimiter": "thiếu dấu phẩy",
               "Expecting property name enclosed in double quotes": "tên thuộc tính phải đặt trong ngoặc kép",
               "Expecting ':' delimiter": "thiếu dấu hai chấm", "Extra data": "thừa dữ liệu sau cùng",
               "Unterminated string starting at": "chuỗi chưa đóng ngoặc kép"}
    return reasons.get(msg, msg)


def definition_problems(definition) -> list[str]:
    """Every problem of a definition, in Vietnamese; empty when it can be rendered and checked."""
    if definition in ({}, None):
        return []
    if not isinstance(definition, dict):
        return ["Mẫu tờ khai phải là một đối tượng JSON { … }."]
    problems = []
    if not isinstance(definition.get("title"), str) or not definition["title"].strip():
        problems.append("Thiếu tên tờ khai (“title”).")
    paper = definition.get("paper")
    if paper is not None and (not isinstance(paper, int) or isinstance(paper, bool) or paper < 1):
        problems.append("“paper” là số thứ tự (từ 1) của thành phần hồ sơ mà tờ khai thay thế.")
    fields = definition.get("fields")
    if not isinstance(fields, list) or not fields:
        problems.append("Tờ khai cần ít nhất một trường (“fields”: [ … ]).")
        return problems
    keys: set[str] = set()
    count = _items_problems(fields, "", keys, problems, in_group=False)
    if count > MAX_FIELDS:
        problems.append(f"Tờ khai có quá nhiều trường ({count}, tối đa {MAX_FIELDS}).")
    kinds = {f.get("key"): f.get("kind") for f in fields if isinstance(f, dict)}
    for f in fields:
        if isinstance(f, dict) and f.get("kind") == "id_number":
            for link, wanted in (("birth_field", "date"), ("sex_field", "choice")):
                if isinstance(f.get(link), str) and kinds.get(f[link]) != wanted:
                    problems.append(f"Trường “{f.get('label', '')}”: “{link}” phải là mã một trường "
                                    f"{KINDS[wanted]} của tờ khai (đang là “{f[link]}”).")
    if not any(f.get("kind") != "section" for f in fields if isinstance(f, dict)):
        problems.append("Tờ khai cần ít nhất một trường nhập liệu.")
    return problems


def _items_problems(items, where: str, keys: set[str], problems: list[str], *, in_group: bool) -> int:
    count = 0
    for index, item in enumerate(items, start=1):
        count += 1
        place = f"{where}trường thứ {index}"
        if not isinstance(item, dict):
            problems.append(f"{_cap(place)}: phải là một đối tượng {{ … }}.")
            continue
        kind = item.get("kind")
        label = item.get("label")
        if isinstance(label, str) and label.strip():
            place = f"{place} (“{label.strip()[:60]}”)"
        else:
            problems.append(f"{_cap(place)}: thiếu nhãn (“label”).")
        if kind not in KINDS:
            problems.append(f"{_cap(place)}: loại “{kind}” không có; chọn một trong: "
                            + ", ".join(f"{k} ({v})" for k, v in KINDS.items()) + ".")
            continue
        if kind == "section":
            continue
        if in_group and kind == "group":
            problems.append(f"{_cap(place)}: không đặt nhóm lặp lại trong nhóm lặp lại.")
            continue
        key = item.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            problems.append(f"{_cap(place)}: mã trường (“key”) gồm chữ thường không dấu, chữ số, "
                            "dấu gạch dưới, bắt đầu bằng chữ, tối đa 40 ký tự.")
        elif key in keys:
            problems.append(f"{_cap(place)}: mã trường “{key}” bị trùng.")
        else:
            keys.add(key)
        if kind == "choice":
            choices = item.get("choices")
            if (not isinstance(choices, list) or len(choices) < 2
                    or not all(isinstance(c, str) and c.strip() for c in choices)):
                problems.append(f"{_cap(place)}: trường lựa chọn cần danh sách “choices” từ 2 giá trị.")
            elif len(set(choices)) != len(choices):
                problems.append(f"{_cap(place)}: “choices” có giá trị trùng.")
        if kind == "number":
            for bound in ("min", "max"):
                if bound in item and not _is_number(item[bound]):
                    problems.append(f"{_cap(place)}: “{bound}” phải là một số.")
            if _is_number(item.get("min")) and _is_number(item.get("max")) and item["min"] > item["max"]:
                problems.append(f"{_cap(place)}: “min” lớn hơn “max”.")
        if "default" in item and not isinstance(item["default"], str):
            problems.append(f"{_cap(place)}: giá trị mặc định (“default”) phải là chuỗi.")
        if kind == "id_number":
            for link in ("birth_field", "sex_field"):
                if link in item and (in_group or not isinstance(item[link], str)):
                    problems.append(f"{_cap(place)}: “{link}” là mã một trường ngày sinh / giới tính ngoài nhóm.")
        if kind == "unit" and item.get("level", "commune") not in ("province", "commune"):
            problems.append(f"{_cap(place)}: “level” là “province” (tỉnh) hoặc “commune” (xã, phường).")
        if kind == "group":
            low, high = item.get("min", 0), item.get("max", 10)
            if not (_is_int(low) and _is_int(high) and 0 <= low <= high <= MAX_ROWS and high >= 1):
                problems.append(f"{_cap(place)}: số dòng “min”, “max” phải là số nguyên, "
                                f"0 ≤ min ≤ max ≤ {MAX_ROWS}, max ≥ 1.")
            inner = item.get("fields")
            if not isinstance(inner, list) or not inner:
                problems.append(f"{_cap(place)}: nhóm cần danh sách trường “fields”.")
            else:
                count += _items_problems(inner, f"{place}, ", set(), problems, in_group=True)
    return count


def _cap(text: str) -> str:
    """Upper-case the first letter only (str.capitalize would lower-case the field's label)."""
    return text[:1].upper() + text[1:]


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def input_fields(definition: dict) -> list[dict]:
    """Top-level items that hold values (fields and groups, not section headings)."""
    return [f for f in definition.get("fields", []) if f.get("kind") != "section"]


# -- values ----------------------------------------------------------------------------------
@dataclass
class Units:
    """Administrative units the form may name: code -> label, and folded label -> code."""

    provinces: dict[str, str]
    communes: dict[str, str]

    def label(self, code: str) -> str:
        return self.provinces.get(code) or self.communes.get(code) or code

    def find(self, text: str, level: str) -> str | None:
        table = self.provinces if level == "province" else self.communes
        text = (text or "").strip()
        if text in table:
            return text
        folded = fold(text)
        found = next((code for code, label in table.items() if fold(label) == folded), None)
        if found is None:  # the commune's name alone, when no other commune bears it
            alone = [code for code, label in table.items() if fold(label.split(",")[0]) == folded]
            found = alone[0] if len(alone) == 1 else None
        return found


def load_units(definition: dict) -> Units:
    """The units the definition's unit fields need (communes only when a field asks for them)."""
    from egov.org.models import AdministrativeUnit

    levels = {f.get("level", "commune") for f in _all_fields(definition) if f.get("kind") == "unit"}
    provinces, communes = {}, {}
    if levels:
        rows = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE).values_list("code", "name")
        provinces = dict(rows)
    if "commune" in levels:
        for code, name, parent in (AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE)
                                   .values_list("code", "name", "parent__name")):
            communes[code] = f"{name}, {parent}" if parent else name
    return Units(provinces, communes)


def _all_fields(definition: dict):
    for item in definition.get("fields", []):
        yield item
        if item.get("kind") == "group":
            yield from item.get("fields", [])


def read_post(definition: dict, post) -> dict:
    """The raw values typed on the filing page (nothing checked yet), in the values' shape."""
    values = {}
    for item in input_fields(definition):
        key = item["key"]
        if item["kind"] == "group":
            rows = []
            for row in range(min(item.get("max", 10), MAX_ROWS)):
                data = {f["key"]: (post.get(f"f_{key}-{row}-{f['key']}") or "").strip()[:MAX_TEXT]
                        for f in item["fields"] if f.get("kind") != "section"}
                if any(data.values()):
                    rows.append(data)
            values[key] = rows
        else:
            values[key] = (post.get(f"f_{key}") or "").strip()[:MAX_TEXT]
    return values


def clean_values(definition: dict, values: dict, *, units: Units | None = None,
                 today: dt.date | None = None) -> dict:
    """Check values against the definition; return them normalised (dates ISO, units as codes).

    Raises ValidationError whose details["fields"] maps each HTML name to its Vietnamese error.
    """
    units = units if units is not None else load_units(definition)
    errors: dict[str, str] = {}
    clean: dict = {}
    for item in input_fields(definition):
        key = item["key"]
        if item["kind"] == "group":
            rows = values.get(key) or []
            rows = [r for r in rows if isinstance(r, dict) and any(str(v).strip() for v in r.values())]
            low, high = item.get("min", 0), item.get("max", 10)
            if len(rows) < low:
                errors[f"f_{key}"] = f"“{item['label']}”: cần ít nhất {low} dòng."
            if len(rows) > high:
                errors[f"f_{key}"] = f"“{item['label']}”: nhiều nhất {high} dòng."
            clean_rows = []
            for index, row in enumerate(rows[:high]):
                clean_row = {}
                for field in item["fields"]:
                    if field.get("kind") == "section":
                        continue
                    value, error = _clean_one(field, row.get(field["key"], ""), units, today)
                    if error:
                        errors[f"f_{key}-{index}-{field['key']}"] = f"{item['label']}, dòng {index + 1}: {error}"
                    clean_row[field["key"]] = value
                clean_rows.append(clean_row)
            clean[key] = clean_rows
        else:
            value, error = _clean_one(item, values.get(key, ""), units, today)
            if error:
                errors[f"f_{key}"] = error
            clean[key] = value
    for item in input_fields(definition):
        name = f"f_{item['key']}"
        if item["kind"] == "id_number" and clean.get(item["key"]) and name not in errors:
            problem = _id_matches(item, clean[item["key"]], clean, definition)
            if problem:
                errors[name] = f"“{item['label']}”: {problem}"
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(f"Tờ khai chưa hợp lệ: {first}" + (f" (và {len(errors) - 1} lỗi khác)"
                                                                  if len(errors) > 1 else ""),
                              code="form_invalid", details={"fields": errors})
    return clean


def _id_matches(field: dict, number: str, clean: dict, definition: dict) -> str | None:
    """The ID number's encoded birth year and sex against the form's own birth date and sex."""
    year, sex = id_number_birth(number)
    birth = parse_date(clean.get(field.get("birth_field", ""), "") or "")
    if birth and birth.year != year:
        return f"số này ghi năm sinh {year}, khác năm sinh đã khai ({birth.year})."
    declared = clean.get(field.get("sex_field", ""), "")
    if declared in ("Nam", "Nữ") and declared != sex:
        return f"chữ số thứ tư “{number[3]}” là của người {sex.lower()}, khác giới tính đã khai ({declared})."
    return None


def _clean_one(field: dict, raw, units: Units, today) -> tuple[str, str | None]:
    label = field["label"]
    value = str(raw if raw is not None else "").strip()
    if not value:
        return "", (f"Cần nhập “{label}”." if field.get("required") else None)
    kind = field["kind"]
    limit = field.get("max_length", 200 if kind == "text" else MAX_TEXT)
    if len(value) > limit:
        return value, f"“{label}” dài quá {limit} ký tự."
    if kind == "number":
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return value, f"“{label}” phải là một số."
        if _is_number(field.get("min")) and number < field["min"]:
            return value, f"“{label}” không được nhỏ hơn {field['min']}."
        if _is_number(field.get("max")) and number > field["max"]:
            return value, f"“{label}” không được lớn hơn {field['max']}."
        return value, None
    if kind == "date":
        day = parse_date(value)
        if day is None:
            return value, f"“{label}” phải là ngày dạng ngày/tháng/năm, ví dụ 05/03/2026."
        if field.get("past", True) and day > (today or dt.date.today()):
            return value, f"“{label}” không được sau ngày hôm nay."
        return day.isoformat(), None
    if kind == "choice":
        if value not in field["choices"]:
            return value, f"“{label}”: chọn một trong các giá trị " + ", ".join(field["choices"]) + "."
        return value, None
    if kind == "unit":
        code = units.find(value, field.get("level", "commune"))
        if code is None:
            return value, f"“{label}”: không tìm thấy đơn vị hành chính “{value}”."
        return code, None
    if kind == "id_number":
        problem = id_number_problem(value, today=today)
        return value, (f"“{label}”: {problem}" if problem else None)
    return value, None


def parse_date(value: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def display(field: dict, value: str, units: Units) -> str:
    """A stored value as printed on the tờ khai."""
    if not value:
        return ""
    if field["kind"] == "date":
        day = parse_date(value)
        return day.strftime("%d/%m/%Y") if day else value
    if field["kind"] == "unit":
        return units.label(value)
    return value


def file_stem(title: str) -> str:
    """"Tờ khai đăng ký khai sinh" -> "to-khai-dang-ky-khai-sinh"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:80] or "to-khai"


def form_paper_id(definition: dict, papers) -> int | None:
    """The id of the required paper the filled form stands for: the definition's "paper" order,
    else the first paper whose name starts with "Tờ khai" or "Đơn"."""
    papers = list(papers)
    wanted = definition.get("paper")
    if wanted:
        return next((p.pk for i, p in enumerate(papers, start=1) if i == wanted), None)
    return next((p.pk for p in papers if fold(p.name).startswith(("to khai", "don "))), None)


# -- rendering -------------------------------------------------------------------------------
INPUT_TYPES = {"text": "text", "number": "number", "date": "date", "id_number": "text"}


def render_items(definition: dict, values: dict | None, errors: dict | None, units: Units) -> list[dict]:
    """What the filing page (and the editor's preview) draws: one dict per item, groups with rows.
    `values` None: a blank form with the definition's defaults."""
    errors = errors or {}
    blank = values is None
    values = values or {}
    items = []
    for item in definition.get("fields", []):
        kind = item.get("kind")
        if kind == "section":
            items.append({"kind": "section", "label": item["label"]})
        elif kind == "group":
            inner = [f for f in item.get("fields", []) if f.get("kind") != "section"]
            rows = [r for r in (values.get(item["key"]) or []) if isinstance(r, dict)]
            count = min(item.get("max", 10), max(item.get("min", 0), len(rows) + (0 if rows else 1), 1))
            rendered = []
            for index in range(count):
                row = rows[index] if index < len(rows) else {}
                rendered.append({"index": index, "number": index + 1, "fields": [
                    _field(f, f"f_{item['key']}-{index}-{f['key']}", row.get(f["key"]), blank and not row, errors,
                           units) for f in inner]})
            # A blank row the page's script copies for "Thêm dòng" (the names' __row__ replaced).
            template = [_field(f, f"f_{item['key']}-__row__-{f['key']}", None, True, {}, units) for f in inner]
            items.append({"kind": "group", "label": item["label"], "key": item["key"], "rows": rendered,
                          "template": template, "max": item.get("max", 10), "min": item.get("min", 0),
                          "error": errors.get(f"f_{item['key']}", "")})
        else:
            items.append(_field(item, f"f_{item['key']}", values.get(item["key"]), blank, errors, units))
    return items


def _field(field: dict, name: str, value, blank: bool, errors: dict, units: Units) -> dict:
    kind = field["kind"]
    value = field.get("default", "") if blank and value is None else (value or "")
    shown = value
    if kind == "unit" and value:
        shown = units.label(value)
    elif kind == "date" and value:
        day = parse_date(value)
        shown = day.isoformat() if day else value
    return {"kind": kind, "name": name, "id": "id_" + name.replace("-", "_"), "label": field["label"],
            "required": bool(field.get("required")), "value": shown, "help": field.get("help", ""),
            "error": errors.get(name, ""), "choices": field.get("choices", []),
            "level": field.get("level", "commune"), "input_type": INPUT_TYPES.get(kind, "text"),
            "min": field.get("min"), "max": field.get("max")}


def unit_options(definition: dict, units: Units) -> dict:
    """Options for the unit fields: provinces for a select, communes for one shared datalist."""
    return {"provinces": sorted(units.provinces.items(), key=lambda kv: kv[1]),
            "communes": sorted(units.communes.values())}
