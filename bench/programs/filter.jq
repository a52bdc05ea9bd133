select(.age > 40)
