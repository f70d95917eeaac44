package rules

func (sc *scratch) quantity(hi int32, group string) (Quantity, bool) {
	return Quantity{}, false
}
