// Package surface counts the public surface of dynamokit's packages: the
// names a user can call or mention, as issue reports count them. It is
// used by its test, which fails when the surface grows past its budget.
package surface

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Package is the public surface of one package.
type Package struct {
	Path    string   // directory, relative to the root given to Count
	Names   []string // exported top-level names
	Methods []string // exported methods of exported types, as Type.Method
}

// Size is the number of names and methods of p.
func (p Package) Size() int { return len(p.Names) + len(p.Methods) }

// Count walks root and returns the public surface of every package under
// it that a user can import: packages named internal, main packages,
// testdata and modules other than root's are skipped, and so are test
// files.
func Count(root string) ([]Package, error) {
	var pkgs []Package
	err := filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if dir != root {
			if name == "internal" || name == "testdata" || strings.HasPrefix(name, ".") || name == "examples" || name == "scripts" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		p, ok, err := countDir(dir)
		if err != nil || !ok {
			return err
		}
		rel, _ := filepath.Rel(root, dir)
		p.Path = filepath.ToSlash(rel)
		pkgs = append(pkgs, p)
		return nil
	})
	return pkgs, err
}

// countDir counts the package in dir; ok is false when dir holds no
// importable package.
func countDir(dir string) (Package, bool, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.SkipObjectResolution)
	if err != nil {
		return Package{}, false, err
	}
	var p Package
	found := false
	for name, pkg := range pkgs {
		if name == "main" {
			continue
		}
		found = true
		for _, f := range pkg.Files {
			for _, decl := range f.Decls {
				switch d := decl.(type) {
				case *ast.FuncDecl:
					if !d.Name.IsExported() {
						continue
					}
					if d.Recv == nil {
						p.Names = append(p.Names, d.Name.Name)
					} else if recv := recvType(d.Recv.List[0].Type); ast.IsExported(recv) {
						p.Methods = append(p.Methods, recv+"."+d.Name.Name)
					}
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						switch s := spec.(type) {
						case *ast.TypeSpec:
							if s.Name.IsExported() {
								p.Names = append(p.Names, s.Name.Name)
							}
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if n.IsExported() {
									p.Names = append(p.Names, n.Name)
								}
							}
						}
					}
				}
			}
		}
	}
	sort.Strings(p.Names)
	sort.Strings(p.Methods)
	return p, found, nil
}

// recvType is the name of a method's receiver type.
func recvType(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}
