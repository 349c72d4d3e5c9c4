package remote

import (
	"crypto/tls"
	"fmt"
	"time"

	"github.com/actornet/actornet/actors"
)

// Profile is what a socket takes that cannot cross the wire as it is: a *tls.Config, with
// its keys, and a split function. A node keeps its profiles by name ([Config.Profiles]), and
// an owner on another node asks for one by that name ([SocketOptions.Profile]), so that
// secrets stay on the node whose sockets use them and code is never sent anywhere.
type Profile struct {
	// TLS and HandshakeTimeout are those of actors.SocketConfig: a client socket's for its
	// Connect, a server's for its accepted sockets (with Certificates or GetCertificate).
	// The owner gets SecureConnectEvent, with the peer's certificates, as locally.
	TLS              *tls.Config
	HandshakeTimeout time.Duration
	// Framing is that of actors.SocketConfig: each DataEvent the owner gets is one frame.
	// Its MaxFrame must not pass MaxChunk (0 is the default, 64 KiB, which is MaxChunk).
	Framing *actors.Framing
}

// ErrUnknownProfile: an owner asked for a profile the socket's node does not have
// (code ERR_ACTORNET_UNKNOWN_PROFILE).
var ErrUnknownProfile error = &Error{code: "ERR_ACTORNET_UNKNOWN_PROFILE", msg: "remote: no such socket profile on the node"}

// checkProfiles reports a profile that a socket could not use.
func checkProfiles(profiles map[string]Profile) error {
	for name, p := range profiles {
		if p.Framing != nil && p.Framing.MaxFrame > MaxChunk {
			return fmt.Errorf("remote: profile %q: Framing.MaxFrame %d is over MaxChunk (%d)", name, p.Framing.MaxFrame, MaxChunk)
		}
		if p.HandshakeTimeout < 0 {
			return fmt.Errorf("remote: profile %q: negative HandshakeTimeout", name)
		}
	}
	return nil
}

// profile looks up the profile an owner named; "" is none.
func profile(profiles map[string]Profile, name string) (Profile, error) {
	if name == "" {
		return Profile{}, nil
	}
	p, ok := profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("%w: %q", ErrUnknownProfile, name)
	}
	return p, nil
}
