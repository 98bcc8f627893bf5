#!/usr/bin/env python3
"""Check Chinese/English search on a running Solr core with the EXACT request
CKAN 2.12 package_search sends (ckan/lib/search/query.py: dismax, q.op=AND,
mm=2<-1 5<80%, qf=name^4 title^4 tags^2 groups^2 text, tie=0.1).

Non-destructive: the test datasets use their own site_id and are deleted at
the end, so CKAN's documents are neither matched nor touched.

    python3 solr/check_analysis.py [SOLR_CORE_URL]

Default URL: http://$BIND_HOST:$SOLR_PORT/solr/ckan (127.0.0.1:8983).
Exit status 1 if any case fails. Stdlib only. See solr/ANALYSIS.md.
"""
import hashlib
import json
import os
import sys
import urllib.parse
import urllib.request

SITE = "qingyang-solr-check"

DOCS = [  # (name, title, notes)
    ("d01", "建设用地规划许可证核发", "建设单位申请核发建设用地规划许可证。"),
    ("d02", "无犯罪记录证明开具", "为本地户籍居民开具无犯罪记录证明。"),
    ("d03", "城乡居民基本医疗保险参保登记", "城乡居民参加基本医疗保险的登记业务。"),
    ("d04", "Water quality 水质监测", "Surface water monitoring per GB/T 3838-2002 地表水环境质量标准."),
    ("d05", "Building permit 建筑工程施工许可", "Apply for a construction permit. 建筑工程施工许可证核发。"),
    ("d06", "医疗机构执业登记", "医疗机构设置审批与执业登记。"),
    ("d07", "城市建设档案查询", "查询城市建设档案。"),
    ("d08", "刑事犯罪案件统计", "年度刑事犯罪案件数量统计。"),
    ("d09", "出生医学证明办理", "新生儿出生医学证明首次签发。"),
    ("d10", "职工基本养老保险参保登记", "企业职工参加基本养老保险登记。"),
    ("d11", "国有建设用地使用权出让", "国有土地使用权招拍挂出让信息。"),
    ("d12", "农村宅基地审批", "农村村民宅基地用地审批。"),
    ("d13", "居民身份证办理", "居民身份证申领、换领、补领。"),
    ("d14", "不动产登记信息查询", "不动产权属登记信息查询。"),
    ("d15", "空气质量监测数据 Air quality", "全市空气质量自动监测站小时数据 PM2.5。"),
    ("d16", "公共交通线路 Bus routes", "青阳市公交线路及站点数据。"),
    ("d17", "企业信用信息公示", "企业信用信息与行政处罚信息公示。"),
    ("d18", "医疗保险定点医药机构名单", "基本医疗保险定点医疗机构和零售药店名单。"),
    ("d19", "食品经营许可证核发", "食品经营许可的申请与核发。"),
    ("d20", "失业保险金申领", "失业人员申领失业保险金。"),
]


def S(*ids):
    return {"d%02d" % i for i in ids}


# (query, must find, must NOT find)
CASES = [
    ("建设用地", S(1, 11), S(7)),
    ("用地", S(1, 11, 12), S(3)),
    ("无犯罪证明", S(2), S(8, 9)),
    ("基本医疗", S(3, 18), S(6, 9)),
    ("医疗", S(3, 6, 18), S(1)),
    ("基本医疗 参保", S(3), S(6, 10)),
    ("城乡居民医疗保险", S(3), S(6, 13)),
    ("许可证", S(1, 5, 19), set()),
    ("施工许可", S(5), S(1, 19)),
    ("规划许可证", S(1), S(5, 19)),
    ("养老保险", S(10), S(3, 20)),
    ("参保登记", S(3, 10), S(14)),
    ("身份证", S(13), set()),
    ("不动产登记", S(14), S(3, 6, 10)),
    ("空气质量", S(15), S(4)),
    ("水质", S(4), S(15)),
    ("公交线路", S(16), set()),
    ("信用信息", S(17), set()),
    ("企业信用", S(17), S(10)),
    ("食品经营许可", S(19), S(5)),
    ("失业保险金", S(20), S(3, 10)),
    ("宅基地审批", S(12), set()),
    ("出生证明", S(9), S(2)),
    ("医学证明", S(9), S(2)),
    ("犯罪记录", S(2), S(8)),
    ("建设", S(1, 7, 11), set()),
    ("登记", S(3, 6, 10, 14), set()),
    ("保险", S(3, 10, 18, 20), set()),
    ("医疗 登记", S(3, 6), S(14)),
    ("建设用地许可", S(1), S(11)),
    ("water", S(4), S(15)),
    ("air quality", S(15), S(4)),
    ("water quality report", S(4), set()),
    ("水质 监测 数据", S(4, 15), set()),
    ("Water quality 水质监测", S(4), S(15)),
    ("quality 监测", S(4, 15), set()),
    ("GB 3838", S(4), set()),
    ("GB/T 3838", S(4), set()),
    ("GB3838", S(4), set()),
    ("3838-2002", S(4), set()),
    ("ＧＢ　３８３８", S(4), set()),
    ("permits", S(5), set()),
    ("PM2.5", S(15), set()),
    ("pm2.5 数据", S(15), set()),
    ("bus", S(16), set()),
    ("BusRoutes", S(16), set()),
]


def call(url, body=None):
    req = urllib.request.Request(url, data=body,
                                 headers={"Content-Type": "application/json"} if body else {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def solr_doc(name, title, notes):
    # The fields CKAN's index.py sends (the schema's required ones and the searched ones).
    pid = hashlib.md5((SITE + name).encode()).hexdigest()
    return {"index_id": hashlib.md5((pid + SITE).encode()).hexdigest(), "id": pid,
            "site_id": SITE, "name": name, "title": title, "notes": notes,
            "entity_type": "package", "dataset_type": "dataset", "state": "active",
            "capacity": "public", "permission_labels": ["public"], "title_string": title,
            "metadata_created": "2025-01-01T00:00:00Z",
            "metadata_modified": "2025-01-01T00:00:00Z",
            "data_dict": json.dumps({"name": name}), "validated_data_dict": json.dumps({"name": name})}


def ckan_request(q):
    # package_search(q=...) as an anonymous user, after PackageSearchQuery.run.
    return [("q", q), ("fl", "id validated_data_dict"), ("rows", "11"), ("start", "0"),
            ("sort", "score desc, metadata_modified desc"),
            ("fq", "+capacity:public  +state:(active)"), ("fq", '+site_id:"%s"' % SITE),
            ("fq", '+permission_labels:("public")'),
            ("facet", "true"), ("facet.limit", "50"), ("facet.mincount", "1"),
            ("wt", "json"), ("defType", "dismax"), ("tie", "0.1"), ("mm", "2<-1 5<80%"),
            ("qf", "name^4 title^4 tags^2 groups^2 text"), ("df", "text"), ("q.op", "AND")]


def main():
    host = os.environ.get("BIND_HOST", "127.0.0.1")
    port = os.environ.get("SOLR_PORT", "8983")
    core = (sys.argv[1] if len(sys.argv) > 1 else f"http://{host}:{port}/solr/ckan").rstrip("/")
    names = {solr_doc(*d)["id"]: d[0] for d in DOCS}
    delete = json.dumps({"delete": {"query": 'site_id:"%s"' % SITE}}).encode()
    call(f"{core}/update?commit=true", json.dumps([solr_doc(*d) for d in DOCS]).encode())
    failed = 0
    try:
        for q, want, avoid in CASES:
            r = call(f"{core}/select?" + urllib.parse.urlencode(ckan_request(q)))
            got = [names[d["id"]] for d in r["response"]["docs"]]
            ok = want <= set(got) and not (avoid & set(got))
            failed += not ok
            print(f"{'PASS' if ok else 'FAIL'}  {q:<24} -> {' '.join(got) or '-'}"
                  + ("" if ok else f"   (want {sorted(want)}, not {sorted(avoid)})"))
    finally:
        call(f"{core}/update?commit=true", delete)
    print(f"{len(CASES) - failed}/{len(CASES)} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
