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
