package family

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/templates"
)

// Registry holds the known families by name. It is immutable once loaded
// and safe for concurrent use.
type Registry struct {
	byName map[string]*Family
	names  []string // sorted
	def    string
	// defs is the default family of each derived kind (self-evaluation,
	// monitoring) that has one.
	defs map[string]string
}

// Builtin loads the families embedded in the binary (templates/families).
func Builtin() (*Registry, error) {
	return Load(templates.Families, "")
}

// Load reads every families/*.json of fsys (nil: none), then every *.json of
// dir, or of dir/families when that exists, when dir is not empty (a site's
// own families, added without rebuilding). A file in dir replaces an
// embedded family of the same name. A family's name must
// equal its file name without .json.
func Load(fsys fs.FS, dir string) (*Registry, error) {
	r := &Registry{byName: map[string]*Family{}}
	if fsys != nil {
		if err := r.loadFS(fsys, "families", "embedded:"); err != nil {
			return nil, err
		}
	}
	if dir != "" {
		// A templates directory laid out like the embedded one (DIR/families/*.json)
		// or a plain directory of family files (DIR/*.json).
		if st, err := os.Stat(filepath.Join(dir, "families")); err == nil && st.IsDir() {
			dir = filepath.Join(dir, "families")
		}
		if err := r.loadFS(os.DirFS(dir), ".", dir+string(os.PathSeparator)); err != nil {
			return nil, err
		}
	}
	if len(r.byName) == 0 {
		return nil, fmt.Errorf("load form families: no family files found")
	}
	for name := range r.byName {
		r.names = append(r.names, name)
	}
	sort.Strings(r.names)
	// Each kind has its own default; a site family marked default wins
	// over the embedded one.
	r.defs = map[string]string{}
	for _, kind := range Kinds {
		var defs, all []string
		for _, n := range r.names {
			if f := r.byName[n]; f.DocumentKind() == kind {
				all = append(all, n)
				if f.Default {
					defs = append(defs, n)
				}
			}
		}
		switch {
		case len(defs) > 0:
			r.defs[kind] = defs[0]
			for _, n := range defs {
				if !strings.HasPrefix(r.byName[n].Source, "embedded:") {
					r.defs[kind] = n
				}
			}
		case len(all) > 0:
			r.defs[kind] = all[0]
		}
	}
	r.def = r.defs[KindTarget]
	if r.def == "" {
		return nil, fmt.Errorf("load form families: no family of the target form (绩效目标表)")
	}
	for _, n := range r.names {
		f := r.byName[n]
		for _, kind := range sortedKeys(anyMap(f.Companions)) {
			c, ok := r.byName[f.Companions[kind]]
			if !ok || c.DocumentKind() != kind {
				return nil, &Error{File: f.Source, Path: "companions." + kind, Msg: fmt.Sprintf("%q is not a known family of kind %s", f.Companions[kind], kind)}
			}
		}
	}
	return r, nil
}

func (r *Registry) loadFS(fsys fs.FS, root, prefix string) error {
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return fmt.Errorf("load form families from %s: %w", strings.TrimSuffix(prefix, "/"), err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		p := path.Join(root, e.Name())
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("load form family %s%s: %w", prefix, p, err)
		}
		src := prefix + p
		if root == "." {
			src = prefix + e.Name()
		}
		fam, err := Parse(data, src)
		if err != nil {
			return err
		}
		if want := strings.TrimSuffix(e.Name(), ".json"); fam.Name != want {
			return &Error{File: src, Path: "name", Msg: fmt.Sprintf("%q must equal the file name %q", fam.Name, want)}
		}
		if old, ok := r.byName[fam.Name]; ok && strings.HasPrefix(old.Source, prefix) {
			return &Error{File: src, Path: "name", Msg: fmt.Sprintf("%q is also declared by %s", fam.Name, old.Source)}
		}
		r.byName[fam.Name] = fam
	}
	return nil
}

// List returns the families sorted by name.
func (r *Registry) List() []*Family {
	out := make([]*Family, len(r.names))
	for i, n := range r.names {
		out[i] = r.byName[n]
	}
	return out
}

// Default is the family of forms that name none and match none better.
func (r *Registry) Default() *Family { return r.byName[r.def] }

// Companion returns the family that lays out the document of the given
// kind (self-evaluation, monitoring) for forms of target: the one target
// names in companions, else that kind's default. A registry without a
// family of the kind gives a reports.EINVALID error.
func (r *Registry) Companion(target *Family, kind string) (*Family, error) {
	if target != nil && target.Companions[kind] != "" {
		if f, ok := r.byName[target.Companions[kind]]; ok {
			return f, nil
		}
	}
	if n := r.defs[kind]; n != "" {
		return r.byName[n], nil
	}
	return nil, reports.Errorf(reports.EINVALID, "no form family lays out documents of kind %q", kind)
}

// Target returns the family of a target form by name, as Get, but refuses
// a family of a derived document (a form cannot be filed as a 自评表).
func (r *Registry) Target(name string) (*Family, error) {
	f, err := r.Get(name)
	if err != nil {
		return nil, err
	}
	if f.DocumentKind() != KindTarget {
		return nil, reports.Errorf(reports.EINVALID, "form family %q lays out %s documents, not target forms (绩效目标表)", name, f.DocumentKind())
	}
	return f, nil
}

// Get returns the family by name; "" gives the default. An unknown name is
// a reports.EINVALID error listing the known ones.
func (r *Registry) Get(name string) (*Family, error) {
	if name == "" {
		return r.Default(), nil
	}
	if f, ok := r.byName[name]; ok {
		return f, nil
	}
	// Forms name target families; derived layouts are chosen by reportd.
	var known []string
	for _, n := range r.names {
		if r.byName[n].DocumentKind() == KindTarget {
			known = append(known, n)
		}
	}
	return nil, reports.Errorf(reports.EINVALID, "unknown form family %q (known: %s)", name, strings.Join(known, ", "))
}

// Detect picks the family a document belongs to from its title and the
// labels found in it (field labels and indicator column headers, raw:
// colons and units are ignored). The family whose title matches and whose
// labels match most wins; with no evidence at all it returns the default.
func (r *Registry) Detect(title string, labels []string) *Family {
	best, bestScore := r.Default(), 0
	t := NormalizeTitle(title)
	for _, n := range r.names {
		f := r.byName[n]
		if f.DocumentKind() != KindTarget {
			continue // derived documents are made, never imported
		}
		score := 0
		if t != "" && (NormalizeTitle(f.Title) == t || containsNorm(f.Detect.Titles, t)) {
			score += 3
		}
		for _, l := range labels {
			if _, ok := f.FieldKey(l); ok {
				score++
			} else if _, ok := f.ColumnKey(l); ok {
				score++
			}
		}
		// Labels the family does not know count against it, so a family
		// with a superset of fields does not win by default.
		for _, l := range labels {
			_, a := f.FieldKey(l)
			_, b := f.ColumnKey(l)
			if !a && !b && NormalizeLabel(l) != "" {
				score--
			}
		}
		if score > bestScore || score == bestScore && score > 0 && n == r.def {
			best, bestScore = f, score
		}
	}
	return best
}

func containsNorm(list []string, n string) bool {
	for _, s := range list {
		if NormalizeTitle(s) == n {
			return true
		}
	}
	return false
}
