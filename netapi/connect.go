package netapi

import "context"

// Connect makes a socket and connects it: NewSocket followed by Socket.Connect.
func (rt *Runtime) Connect(opts ConnectOptions, onConnect func()) *Socket {
	return rt.NewSocket(SocketOptions{AllowHalfOpen: opts.AllowHalfOpen, HighWaterMark: opts.HighWaterMark}).Connect(opts, onConnect)
}

// ConnectContext makes a socket and connects it within ctx: NewSocket followed by
// Socket.ConnectContext.
func (rt *Runtime) ConnectContext(ctx context.Context, opts ConnectOptions, onConnect func()) *Socket {
	return rt.NewSocket(SocketOptions{AllowHalfOpen: opts.AllowHalfOpen, HighWaterMark: opts.HighWaterMark}).ConnectContext(ctx, opts, onConnect)
}

// ConnectPort is Connect(ConnectOptions{Port: port, Host: host}, onConnect).
func (rt *Runtime) ConnectPort(port int, host string, onConnect func()) *Socket {
	return rt.Connect(ConnectOptions{Port: port, Host: host}, onConnect)
}

// CreateConnection is Connect, under Node's other name.
func (rt *Runtime) CreateConnection(opts ConnectOptions, onConnect func()) *Socket {
	return rt.Connect(opts, onConnect)
}

// CreateConnectionPort is ConnectPort, under Node's other name.
func (rt *Runtime) CreateConnectionPort(port int, host string, onConnect func()) *Socket {
	return rt.ConnectPort(port, host, onConnect)
}

// CreateServer is Default().CreateServer.
func CreateServer(opts ServerOptions, onConnection func(*Socket)) *Server {
	return Default().CreateServer(opts, onConnection)
}

// Connect is Default().Connect.
func Connect(opts ConnectOptions, onConnect func()) *Socket {
	return Default().Connect(opts, onConnect)
}

// ConnectContext is Default().ConnectContext.
func ConnectContext(ctx context.Context, opts ConnectOptions, onConnect func()) *Socket {
	return Default().ConnectContext(ctx, opts, onConnect)
}

// ConnectPort is Default().ConnectPort.
func ConnectPort(port int, host string, onConnect func()) *Socket {
	return Default().ConnectPort(port, host, onConnect)
}

// CreateConnection is Default().CreateConnection.
func CreateConnection(opts ConnectOptions, onConnect func()) *Socket {
	return Default().CreateConnection(opts, onConnect)
}

// CreateConnectionPort is Default().CreateConnectionPort.
func CreateConnectionPort(port int, host string, onConnect func()) *Socket {
	return Default().CreateConnectionPort(port, host, onConnect)
}

// NewSocket is Default().NewSocket.
func NewSocket(opts SocketOptions) *Socket { return Default().NewSocket(opts) }

// Wait is Default().Wait.
func Wait(ctx context.Context) error { return Default().Wait(ctx) }

// Shutdown is Default().Shutdown.
func Shutdown(ctx context.Context) error { return Default().Shutdown(ctx) }
