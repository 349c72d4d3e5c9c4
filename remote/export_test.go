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
	for _, l := range n.links.openLinks() {
		l.close()
	}
}
