package remote

// Exported for the tests: the conversions at the wire.
var (
	EncodeCommand = encodeCommand
	DecodeCommand = decodeCommand
	EncodeEvent   = encodeEvent
	DecodeEvent   = decodeEvent
	EncodeErr     = encodeErr
	DecodeErr     = decodeErr
)

// BreakLinks breaks every link of n, as a lost connection between two nodes would.
func BreakLinks(n *Node) {
	n.links.mu.Lock()
	open := make([]*link, 0, len(n.links.open))
	for l := range n.links.open {
		open = append(open, l)
	}
	n.links.mu.Unlock()
	for _, l := range open {
		l.close()
	}
}
