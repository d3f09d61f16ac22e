package api

import "github.com/labstack/echo/v5"

// batchRoutes adds the admins' batch page when the server runs batches.
func (w *web) batchRoutes(g *echo.Group) {}
