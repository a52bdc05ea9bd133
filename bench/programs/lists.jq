{
  _id,
  big_orders: ([.orders[] | select(.amount > 100)] | sort_by(.amount)),
  skus: ([.orders[].sku] | sort),
  total: ([.orders[].amount] | add // 0)
}
