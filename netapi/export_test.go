package netapi

// MetricsTracked is the number of sockets WithMeterProvider's collection still reads.
func MetricsTracked(rt *Runtime) int {
	rt.metrics.mu.Lock()
	defer rt.metrics.mu.Unlock()
	return len(rt.metrics.set)
}
