{
  _id,
  name_upper: (.name | ascii_upcase),
  age_next: (.age + 1),
  city: .address.city,
  order_count: (.orders | length)
}
