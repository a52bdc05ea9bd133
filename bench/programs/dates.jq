# DTL datetimes travel as "~t<ISO-8601>Z" strings: strip the prefix, compute, re-add it.
{
  _id,
  created_month: (.created | ltrimstr("~t") | strptime("%Y-%m-%dT%H:%M:%SZ") | strftime("%Y-%m")),
  created_plus_week: ("~t" + (.created | ltrimstr("~t") | strptime("%Y-%m-%dT%H:%M:%SZ") | mktime + 7 * 86400 | strftime("%Y-%m-%dT%H:%M:%SZ")))
}
