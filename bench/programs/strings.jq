{
  _id,
  email_lower: (.email | ascii_downcase),
  display: (.name + " <" + .email + ">"),
  email_parts: (.email | split("@")),
  name_a4: (.name | split("a") | join("4"))
}
