package actors

import "github.com/actornet/actornet/messages"

// byPointer returns the pointer form of a command of package messages sent by value, so that
// `Send(pid, messages.Write{...})` works as `Send(pid, &messages.Write{...})` does; any other
// message comes back as it is.
func byPointer(msg any) any {
	switch m := msg.(type) {
	case messages.Connect:
		return &m
	case messages.Write:
		return &m
	case messages.End:
		return &m
	case messages.Destroy:
		return &m
	case messages.Pause:
		return &m
	case messages.Resume:
		return &m
	case messages.Flow:
		return &m
	case messages.Cork:
		return &m
	case messages.Uncork:
		return &m
	case messages.Start:
		return &m
	case messages.SetTimeout:
		return &m
	case messages.SetKeepAlive:
		return &m
	case messages.SetNoDelay:
		return &m
	case messages.Register:
		return &m
	case messages.Inspect:
		return &m
	case messages.Listen:
		return &m
	case messages.Close:
		return &m
	}
	return msg
}
