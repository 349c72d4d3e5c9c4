package actors

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
)

// lookupDone is sent by the dialer once a host name resolved (or failed to).
type lookupDone struct {
	host string
	ip   net.IP
	err  error
}

// dialDone is the dialer's last message: the connection, or why there is none.
type dialDone struct {
	conn *net.TCPConn
	err  error
}

// connect starts resolving and dialling. Connect on a socket that is not new is a no-op, as in
// IoT.js: a socket connects once.
func (s *socket) connect(ctx actor.Context, m *messages.Connect) {
	if s.state != StateNew {
		return
	}
	if m.Port < 0 || m.Port > 65535 {
		s.fail(ctx, &net.OpError{Op: "connect", Net: "tcp", Err: ErrInvalidPort})
		return
	}
	if m.Timeout < 0 {
		s.fail(ctx, &net.OpError{Op: "connect", Net: "tcp", Err: ErrInvalidTimeout})
		return
	}
	host := m.Host
	if host == "" {
		host = "localhost"
	}
	s.state.to(StateConnecting)
	if s.cfg.TLS != nil {
		s.secure = &tlsSide{host: host}
	}
	s.timer.activity(s)
	dctx, cancel := context.WithCancel(context.Background())
	if m.Timeout > 0 { // the lookup counts within it
		dctx, cancel = context.WithTimeout(context.Background(), m.Timeout)
	}
	s.cancelDial = cancel
	s.goroutines++
	go dial(dctx, s.sys, s.self, s.cfg.Resolver, host, m.Port)
}

// cancelConnect abandons a connect still under way (or not begun) with err.
func (s *socket) cancelConnect(ctx actor.Context, m *messages.CancelConnect) {
	if s.state != StateNew && s.state != StateConnecting {
		return
	}
	err := m.Err
	if err == nil {
		err = ErrSocketClosed
	}
	s.fail(ctx, &net.OpError{Op: "connect", Net: "tcp", Err: err})
}

// dial resolves host (unless it is an IP literal) and connects to each address in turn; it
// always ends with one dialDone. A failure once ctx's deadline passed is ErrConnectTimeout,
// whatever step it cut short.
func dial(ctx context.Context, sys *actor.ActorSystem, self *actor.PID, res *net.Resolver, host string, port int) {
	conn, ip, err := dialTo(ctx, sys, self, res, host, port)
	// The dialer's own timeout may come a moment before ctx's, so ask the clock.
	if dl, timed := ctx.Deadline(); err != nil && timed && !time.Now().Before(dl) {
		oe := &net.OpError{Op: "connect", Net: "tcp", Err: ErrConnectTimeout}
		if ip != nil {
			oe.Addr = &net.TCPAddr{IP: ip, Port: port}
		}
		err = oe
	}
	sys.Root.Send(self, &dialDone{conn: conn, err: err})
}

// dialTo is dial's work: the connection, or the last address tried and the error.
func dialTo(ctx context.Context, sys *actor.ActorSystem, self *actor.PID, res *net.Resolver,
	host string, port int) (*net.TCPConn, net.IP, error) {
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		if res == nil {
			res = net.DefaultResolver
		}
		addrs, err := res.LookupIPAddr(ctx, host)
		if err == nil && len(addrs) == 0 {
			err = &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		if err != nil {
			sys.Root.Send(self, &lookupDone{host: host, err: err})
			return nil, nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
		sys.Root.Send(self, &lookupDone{host: host, ip: ips[0]})
	}
	d := net.Dialer{KeepAlive: -1} // off until SetKeepAlive, as in Node
	var err error
	var ip net.IP
	for _, ip = range ips {
		var c net.Conn
		c, err = d.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
		if err == nil {
			return c.(*net.TCPConn), ip, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, ip, err
}

func (s *socket) lookedUp(ctx actor.Context, m *lookupDone) {
	if s.state != StateConnecting {
		return
	}
	ev := &messages.LookupEvent{Socket: s.self, Err: m.err, Host: m.host}
	if m.err == nil {
		ev.Address, ev.Family = m.ip.String(), family(m.ip)
	}
	s.emit(ctx, ev)
	s.timer.activity(s)
}

func (s *socket) dialled(ctx actor.Context, m *dialDone) {
	s.goroutines--
	s.cancelDial()
	if s.state != StateConnecting { // destroyed meanwhile
		if m.conn != nil {
			_ = m.conn.Close()
		}
		s.maybeClosed(ctx)
		return
	}
	if m.err != nil {
		s.fail(ctx, m.err)
		return
	}
	s.opened(ctx, m.conn)
	s.emit(ctx, &messages.ConnectEvent{Socket: s.self, Local: s.local, Remote: s.remote})
	s.secured(ctx)
}

// secured starts writing and reading on a connection that just opened, or, for a TLS
// socket, its handshake, which does that once it completes (handshaken).
func (s *socket) secured(ctx actor.Context) {
	if s.secure != nil {
		s.startHandshake()
		return
	}
	s.pump(ctx, 0) // what was written meanwhile (in-process owners write to the outbox)
	s.startReader()
}

// opened takes the connection over: a client's once dialled, an accepted one at start.
func (s *socket) opened(ctx actor.Context, conn *net.TCPConn) {
	s.conn = conn
	s.raw, _ = conn.SyscallConn() // cannot fail on a *net.TCPConn that is open
	sys, self := s.sys, s.self
	if s.cfg.TLS != nil && s.secure == nil { // accepted: the server side of the handshake
		s.secure = &tlsSide{server: true}
	}
	if s.secure == nil { // a TLS socket's outbox waits for the handshake
		s.out.connect(newWriter(s.raw), func() { sys.Root.Send(self, kick) })
	}
	s.local, s.remote = messages.AddrOf(conn.LocalAddr()), messages.AddrOf(conn.RemoteAddr())
	s.state.to(StateOpen)
	s.applyOptions()
	s.timer.activity(s)
}

// applyOptions sets keepalive and nodelay on the connection, once there is one.
func (s *socket) applyOptions() {
	if s.conn == nil || s.state != StateOpen {
		return
	}
	if s.noDelay != nil {
		if err := s.conn.SetNoDelay(*s.noDelay); err != nil {
			s.cfg.Logger.Debug("actornet: setNoDelay", "err", err)
		}
	}
	if ka := s.keepAlive; ka != nil {
		// Node's settings: the first probe after InitialDelay (whole seconds, 0 = the system's
		// default), then one a second, ten at most.
		cfg := net.KeepAliveConfig{Enable: ka.Enable, Idle: -1, Interval: time.Second, Count: 10}
		if d := ka.InitialDelay.Truncate(time.Second); d > 0 {
			cfg.Idle = d
		}
		if !ka.Enable {
			cfg = net.KeepAliveConfig{Enable: false}
		}
		if err := s.conn.SetKeepAliveConfig(cfg); err != nil {
			s.cfg.Logger.Debug("actornet: setKeepAlive", "err", err)
		}
	}
}

func family(ip net.IP) string {
	if ip.To4() != nil {
		return "IPv4"
	}
	return "IPv6"
}
