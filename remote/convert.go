package remote

import (
	"crypto/x509"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/remote/wire"
)

// The conversions between package messages and its wire form. Local code only ever sees the
// plain structs: a proxy converts what its owner sends, a relay what its socket sends.
// Tokens (Write.Token, Close.Token), which can be any Go value, never cross: a proxy keeps
// them and sends a uint64 in their place, which comes back as a uint64 Token.

func pidToWire(p *actor.PID) *wire.Pid {
	if p == nil {
		return nil
	}
	return &wire.Pid{Address: p.Address, Id: p.Id}
}

func pidFromWire(p *wire.Pid) *actor.PID {
	if p == nil {
		return nil
	}
	return actor.NewPID(p.Address, p.Id)
}

func addrToWire(a messages.Addr) *wire.Addr {
	return &wire.Addr{Address: a.Address, Family: a.Family, Port: int32(a.Port)}
}

func addrFromWire(a *wire.Addr) messages.Addr {
	if a == nil {
		return messages.Addr{}
	}
	return messages.Addr{Address: a.Address, Family: a.Family, Port: int(a.Port)}
}

// tokenID is the uint64 a relay's socket or server gives back as a Token; 0 for none.
func tokenID(t any) uint64 {
	id, _ := t.(uint64)
	return id
}

// encodeCommand is the wire form of a command to a socket or server; false for a value that
// is not one. A Write's or Close's Token must be the uint64 its proxy chose (0: none).
func encodeCommand(m any) (proto.Message, bool) {
	switch m := m.(type) {
	case *messages.Connect:
		return &wire.Connect{Port: int32(m.Port), Host: m.Host}, true
	case *messages.End:
		return &wire.End{Data: m.Data}, true
	case *messages.Destroy:
		return &wire.Destroy{Err: encodeErr(m.Err)}, true
	case *messages.Pause:
		return &wire.Pause{}, true
	case *messages.Resume:
		return &wire.Resume{}, true
	case *messages.Cork:
		return &wire.Cork{}, true
	case *messages.Uncork:
		return &wire.Uncork{}, true
	case *messages.Flow:
		return &wire.Flow{}, true
	case *messages.Start:
		return &wire.Start{}, true
	case *messages.SetTimeout:
		return &wire.SetTimeout{TimeoutNs: int64(m.Timeout)}, true
	case *messages.SetKeepAlive:
		return &wire.SetKeepAlive{Enable: m.Enable, InitialDelayNs: int64(m.InitialDelay)}, true
	case *messages.SetNoDelay:
		return &wire.SetNoDelay{NoDelay: m.NoDelay}, true
	case *messages.Register:
		return &wire.Register{Owner: pidToWire(m.Owner)}, true
	case *messages.Listen:
		return &wire.Listen{Port: int32(m.Port), Host: m.Host, Backlog: int32(m.Backlog)}, true
	case *messages.Close:
		return &wire.Close{Token: tokenID(m.Token)}, true
	case *messages.Inspect:
		return &wire.Inspect{}, true
	}
	return nil, false
}

// decodeCommand is the plain form of a wire command; false for anything else. Tokens come
// as uint64 (nil for 0).
func decodeCommand(m proto.Message) (any, bool) {
	switch m := m.(type) {
	case *wire.Connect:
		return &messages.Connect{Port: int(m.Port), Host: m.Host}, true
	case *wire.End:
		return &messages.End{Data: m.Data}, true
	case *wire.Destroy:
		return &messages.Destroy{Err: decodeErr(m.Err)}, true
	case *wire.Pause:
		return &messages.Pause{}, true
	case *wire.Resume:
		return &messages.Resume{}, true
	case *wire.Cork:
		return &messages.Cork{}, true
	case *wire.Uncork:
		return &messages.Uncork{}, true
	case *wire.Flow:
		return &messages.Flow{}, true
	case *wire.Start:
		return &messages.Start{}, true
	case *wire.SetTimeout:
		return &messages.SetTimeout{Timeout: time.Duration(m.TimeoutNs)}, true
	case *wire.SetKeepAlive:
		return &messages.SetKeepAlive{Enable: m.Enable, InitialDelay: time.Duration(m.InitialDelayNs)}, true
	case *wire.SetNoDelay:
		return &messages.SetNoDelay{NoDelay: m.NoDelay}, true
	case *wire.Register:
		return &messages.Register{Owner: pidFromWire(m.Owner)}, true
	case *wire.Listen:
		return &messages.Listen{Port: int(m.Port), Host: m.Host, Backlog: int(m.Backlog)}, true
	case *wire.Close:
		return &messages.Close{Token: idToken(m.Token)}, true
	case *wire.Inspect:
		return &messages.Inspect{}, true
	}
	return nil, false
}

func idToken(id uint64) any {
	if id == 0 {
		return nil
	}
	return id
}

// encodeEvent is the wire form of a socket's or server's event (or Inspect answer); false
// for anything else. Tokens must be the uint64s the commands carried. A ConnectionEvent's
// Socket and a ServerInfo's Connections are sent as they are: the relay puts its own PIDs
// there first.
func encodeEvent(m any) (proto.Message, bool) {
	switch m := m.(type) {
	case *messages.ConnectEvent:
		return &wire.ConnectEvent{Local: addrToWire(m.Local), Remote: addrToWire(m.Remote)}, true
	case *messages.SecureConnectEvent:
		w := &wire.SecureConnectEvent{Protocol: m.Protocol, AlpnProtocol: m.ALPNProtocol, Authorized: m.Authorized,
			AuthorizationError: encodeErr(m.AuthorizationError)}
		for _, c := range m.PeerCertificates {
			w.PeerCertificates = append(w.PeerCertificates, c.Raw)
		}
		return w, true
	case *messages.DrainEvent:
		return &wire.DrainEvent{}, true
	case *messages.FullEvent:
		return &wire.FullEvent{}, true
	case *messages.EndEvent:
		return &wire.EndEvent{}, true
	case *messages.FinishEvent:
		return &wire.FinishEvent{}, true
	case *messages.CloseEvent:
		return &wire.CloseEvent{HadError: m.HadError}, true
	case *messages.ErrorEvent:
		return &wire.ErrorEvent{Err: encodeErr(m.Err)}, true
	case *messages.LookupEvent:
		return &wire.LookupEvent{Err: encodeErr(m.Err), Address: m.Address, Family: m.Family, Host: m.Host}, true
	case *messages.TimeoutEvent:
		return &wire.TimeoutEvent{}, true
	case *messages.WrittenEvent:
		return &wire.WrittenEvent{Token: tokenID(m.Token), Err: encodeErr(m.Err)}, true
	case *messages.ListeningEvent:
		return &wire.ListeningEvent{Addr: addrToWire(m.Addr)}, true
	case *messages.ConnectionEvent:
		return &wire.ConnectionEvent{Socket: pidToWire(m.Socket), Remote: addrToWire(m.Remote), Local: addrToWire(m.Local)}, true
	case *messages.ServerErrorEvent:
		return &wire.ServerErrorEvent{Err: encodeErr(m.Err), Token: tokenID(m.Token)}, true
	case *messages.ServerCloseEvent:
		w := &wire.ServerCloseEvent{}
		for _, t := range m.Tokens {
			w.Tokens = append(w.Tokens, tokenID(t))
		}
		return w, true
	case *messages.SocketInfo:
		return &wire.SocketInfo{State: m.State, Local: addrToWire(m.Local), Remote: addrToWire(m.Remote),
			BytesRead: m.BytesRead, BytesWritten: m.BytesWritten, KeepAlive: m.KeepAlive,
			KeepAliveIdleNs: int64(m.KeepAliveIdle), NoDelay: m.NoDelay}, true
	case *messages.ServerInfo:
		w := &wire.ServerInfo{State: m.State, Addr: addrToWire(m.Addr)}
		for _, c := range m.Connections {
			w.Connections = append(w.Connections, pidToWire(c))
		}
		return w, true
	}
	return nil, false
}

// decodeEvent is the plain form of a wire event, with self (the proxy) as its Socket or
// Server; false for anything else. Tokens come as uint64 (nil for 0).
func decodeEvent(m proto.Message, self *actor.PID) (any, bool) {
	switch m := m.(type) {
	case *wire.ConnectEvent:
		return &messages.ConnectEvent{Socket: self, Local: addrFromWire(m.Local), Remote: addrFromWire(m.Remote)}, true
	case *wire.SecureConnectEvent:
		e := &messages.SecureConnectEvent{Socket: self, Protocol: m.Protocol, ALPNProtocol: m.AlpnProtocol,
			Authorized: m.Authorized, AuthorizationError: decodeErr(m.AuthorizationError)}
		for _, der := range m.PeerCertificates {
			// The socket's node parsed them already; one that does not parse here is left out.
			if c, err := x509.ParseCertificate(der); err == nil {
				e.PeerCertificates = append(e.PeerCertificates, c)
			}
		}
		return e, true
	case *wire.DrainEvent:
		return &messages.DrainEvent{Socket: self}, true
	case *wire.FullEvent:
		return &messages.FullEvent{Socket: self}, true
	case *wire.EndEvent:
		return &messages.EndEvent{Socket: self}, true
	case *wire.FinishEvent:
		return &messages.FinishEvent{Socket: self}, true
	case *wire.CloseEvent:
		return &messages.CloseEvent{Socket: self, HadError: m.HadError}, true
	case *wire.ErrorEvent:
		return &messages.ErrorEvent{Socket: self, Err: decodeErr(m.Err)}, true
	case *wire.LookupEvent:
		return &messages.LookupEvent{Socket: self, Err: decodeErr(m.Err), Address: m.Address, Family: m.Family, Host: m.Host}, true
	case *wire.TimeoutEvent:
		return &messages.TimeoutEvent{Socket: self}, true
	case *wire.WrittenEvent:
		return &messages.WrittenEvent{Socket: self, Token: idToken(m.Token), Err: decodeErr(m.Err)}, true
	case *wire.ListeningEvent:
		return &messages.ListeningEvent{Server: self, Addr: addrFromWire(m.Addr)}, true
	case *wire.ConnectionEvent:
		return &messages.ConnectionEvent{Server: self, Socket: pidFromWire(m.Socket), Remote: addrFromWire(m.Remote), Local: addrFromWire(m.Local)}, true
	case *wire.ServerErrorEvent:
		return &messages.ServerErrorEvent{Server: self, Err: decodeErr(m.Err), Token: idToken(m.Token)}, true
	case *wire.ServerCloseEvent:
		e := &messages.ServerCloseEvent{Server: self}
		for _, t := range m.Tokens {
			e.Tokens = append(e.Tokens, idToken(t))
		}
		return e, true
	case *wire.SocketInfo:
		return &messages.SocketInfo{PID: self, State: m.State, Local: addrFromWire(m.Local), Remote: addrFromWire(m.Remote),
			BytesRead: m.BytesRead, BytesWritten: m.BytesWritten, KeepAlive: m.KeepAlive,
			KeepAliveIdle: time.Duration(m.KeepAliveIdleNs), NoDelay: m.NoDelay}, true
	case *wire.ServerInfo:
		i := &messages.ServerInfo{PID: self, State: m.State, Addr: addrFromWire(m.Addr)}
		for _, c := range m.Connections {
			i.Connections = append(i.Connections, pidFromWire(c))
		}
		return i, true
	}
	return nil, false
}
