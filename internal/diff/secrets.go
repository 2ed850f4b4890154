package diff

import "github.com/plainsync/plainsync/internal/secret"

// WithSecrets is p with every secret run knows (the API key too) in its
// masker as well as its own: a saved plan never holds one, whatever live
// text echoes; apply compares a saved plan in the same form. p is not
// changed.
func (p *Plan) WithSecrets(run *secret.Masker) *Plan {
	q := *p
	m := &secret.Masker{}
	m.AddMasker(p.Secrets)
	m.AddMasker(run)
	q.Secrets = m
	return &q
}
