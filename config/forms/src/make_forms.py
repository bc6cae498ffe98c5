"""Writes the demo hall's sample forms (示范文本) as HTML, then prints each to PDF with Chromium:

    python3 config/forms/src/make_forms.py && for f in config/forms/src/*.html; do
      chromium --headless --no-pdf-header-footer --print-to-pdf=config/forms/$(basename "$f" .html).pdf "$f"; done

Run once by hand; the PDFs are committed. The names, numbers and addresses are made up.
"""

from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent

FORMS = {
    "scjg-001-company-application": ("公司登记（备案）申请书", "某市市场监督管理局", [
        ("登记类型", "☑ 设立登记　☐ 变更登记　☐ 备案"),
        ("公司名称", "某市青禾信息技术有限公司"),
        ("住所", "某市高新区科技大道88号创业大厦5层502室"),
        ("法定代表人", "张　明（执行董事）"),
        ("注册资本", "人民币壹佰万元整（100 万元），认缴，出资期限 2031年12月31日"),
        ("公司类型", "有限责任公司（自然人投资或控股）"),
        ("经营范围", "一般项目：软件开发；信息技术咨询服务；信息系统集成服务"
                     "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"),
        ("营业期限", "☑ 长期　☐ ____ 年"),
        ("股东（发起人）", "张　明 出资60万元（60%）；李　芳 出资40万元（40%）"),
        ("联络员", "王　强　手机 138****0001"),
    ], ["经营范围须按《经营范围规范表述目录》选择条目填写。", "申请书须由法定代表人签字；股东为单位的加盖公章。",
        "住所须与住所使用证明记载的地址完全一致。"]),
    "scjg-004-individual-business-application": ("个体工商户登记（备案）申请书", "某市市场监督管理局", [
        ("登记类型", "☑ 设立登记"),
        ("个体工商户名称", "某市东城区老王早餐店"),
        ("经营者姓名", "王建国　身份证号 1101**********1234"),
        ("经营场所", "某市东城区幸福路12号1层101"),
        ("组成形式", "☑ 个人经营　☐ 家庭经营"),
        ("经营范围", "许可项目：小餐饮。一般项目：食品销售（仅销售预包装食品）"),
        ("资金数额", "人民币伍万元整"),
        ("从业人数", "3 人"),
    ], ["经营场所为住宅的，须提交“住改商”相关证明。", "涉及许可项目的，领取执照后须另行申请许可方可经营。"]),
    "crj-001-exit-entry-application": ("中国公民出入境证件申请表", "某市公安局出入境管理支队", [
        ("申请类别", "☑ 普通护照　☐ 往来港澳通行证　☐ 往来台湾通行证"),
        ("申请事由", "☑ 首次申请　☐ 失效重新申请　☐ 换发　☐ 补发"),
        ("姓名 / 拼音", "李　芳 / LI FANG"),
        ("性别 / 出生日期", "女 / 1990年03月15日"),
        ("公民身份号码", "1101**********2345"),
        ("户口所在地", "某市西城区和平街道"),
        ("紧急联系人", "李建华（父亲）　电话 139****0002"),
        ("出境事由", "旅游"),
        ("领取方式", "☑ 邮寄（某市西城区和平里3号楼2单元401）　☐ 窗口领取"),
    ], ["姓名拼音须与身份证件一致，多音字以户籍登记为准。", "未满16周岁的，须由监护人陪同并在监护人栏签字。"]),
    "rsj-002-social-security-card-application": ("社会保障卡申领登记表", "某市人力资源和社会保障局", [
        ("申领类型", "☑ 首次申领　☐ 补领　☐ 换领"),
        ("姓名", "赵　磊"),
        ("公民身份号码", "1101**********3456"),
        ("联系电话", "137****0003"),
        ("通讯地址", "某市南城区光明路6号院3号楼502"),
        ("金融功能银行", "某市农商银行（自选合作银行之一）"),
        ("照片回执号", "ZP2026101500123"),
    ], ["照片须为近6个月内白色背景正面免冠彩色照片。", "代办的，须提交代办人身份证原件。"]),
    "bdc-001-real-estate-registration-application": ("不动产登记申请书", "某市不动产登记中心", [
        ("登记事由", "☑ 转移登记（买卖）"),
        ("不动产坐落", "某市北城区春晖路20号院5号楼1单元602"),
        ("不动产单元号", "110101 001001 GB00001 F00050602"),
        ("权利人（买方）", "陈　静　身份证号 1101**********4567　共有方式：单独所有"),
        ("义务人（卖方）", "周　伟　身份证号 1101**********5678"),
        ("面积 / 用途", "89.56 平方米 / 住宅"),
        ("成交价款", "人民币贰佰叁拾万元整"),
        ("原不动产权证号", "某（2019）某市不动产权第0012345号"),
    ], ["共有的须写明共有方式及份额。", "申请书须由全部权利人、义务人本人签字，不得代签。"]),
    "gjj-003-provident-fund-loan-application": ("住房公积金个人住房贷款申请表", "某市住房公积金管理中心", [
        ("借款人", "孙　浩　身份证号 1101**********6789"),
        ("公积金账号 / 缴存单位", "1100123456 / 某市青禾信息技术有限公司"),
        ("婚姻状况", "☑ 已婚　配偶：吴　敏　身份证号 1101**********7890"),
        ("所购房屋", "某市东城区和畅路9号院2号楼1801（新建商品房）"),
        ("房屋总价 / 首付款", "人民币壹佰捌拾万元整 / 人民币伍拾肆万元整"),
        ("申请贷款额度 / 期限", "人民币壹佰万元整 / 25 年"),
        ("还款方式", "☑ 等额本息　☐ 等额本金"),
        ("还款账户", "某市农商银行 6230 **** **** 1234"),
    ], ["贷款额度不得超过中心核定的最高额度。", "已婚的须由夫妻双方共同签字。"]),
}

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}（示范文本）</title>
<style>
@page {{ size: A4; margin: 18mm 16mm; }}
body {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 11pt; color: #000; }}
h1 {{ text-align: center; font-size: 18pt; margin: 0 0 2mm; letter-spacing: 2pt; }}
.sample {{ text-align: center; color: #b00; font-weight: bold; margin-bottom: 4mm; }}
.mark {{ position: fixed; top: 42%; left: 8%; font-size: 64pt; color: rgba(200,0,0,.12); transform: rotate(-28deg); }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ border: 1px solid #000; padding: 3mm 2.5mm; vertical-align: top; text-align: left; }}
th {{ width: 28%; background: #f2f2f2; font-weight: normal; }}
td {{ color: #0b3d91; font-family: "Noto Sans CJK SC", sans-serif; }}
.sign {{ margin-top: 8mm; display: flex; justify-content: space-between; }}
.notes {{ margin-top: 8mm; font-size: 9.5pt; }} .notes li {{ margin: 1mm 0; }}
</style></head><body>
<div class="mark">示范文本 SAMPLE</div>
<h1>{title}</h1>
<div class="sample">示范文本（填写样例，仅供参考）· 受理单位：{unit}</div>
<table>{rows}</table>
<div class="sign"><span>申请人（签字/盖章）：<u>　张三（本人签字）　</u></span><span>日期：2026年10月15日</span></div>
<ol class="notes"><b>填写说明及常见错误：</b>{notes}</ol>
</body></html>
"""


def main() -> None:
    for name, (title, unit, rows, notes) in FORMS.items():
        body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
        items = "".join(f"<li>{escape(n)}</li>" for n in notes)
        (HERE / f"{name}.html").write_text(PAGE.format(title=escape(title), unit=escape(unit), rows=body, notes=items),
                                           encoding="utf-8")


if __name__ == "__main__":
    main()
