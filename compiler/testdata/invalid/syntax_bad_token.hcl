experiment "x" {
  description = @oops  # want: E100:17
}
