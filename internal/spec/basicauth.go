package spec

// LearnBasicAuth registers the Basic-auth forms of d's URLs with d.Secrets.
func (d *Desired) LearnBasicAuth() {
	if d == nil || d.Secrets == nil {
		return
	}
	for _, w := range d.Webhooks {
		d.Secrets.AddBasicAuthOf(w.URL.Value)
	}
}
