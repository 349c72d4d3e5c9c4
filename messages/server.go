package messages

// Listen is sent to a server actor by its owner to start accepting connections. Port 0 picks
// a free port; Host "" means every IPv4 and IPv6 address; Backlog 0 means the system default.
type Listen struct {
	Port    int
	Host    string
	Backlog int
}

// Close is sent to a server to stop accepting at once. The server's [ServerCloseEvent] follows
// once its last accepted socket has closed. On a server that is not listening it gives a
// [ServerErrorEvent] wrapping ErrServerNotRunning that carries Token.
type Close struct {
	Token any
}
