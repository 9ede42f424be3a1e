# prophet_r.R - fit R's prophet (Debian r-cran-prophet) on each series of a
# prophet_bench data file, hold out the last H days, print forecasts in the
# same format as `prophet_bench fit` (series,day,yhat and "#time,series,sec").
# Same information as ours: French holidays (one effect) and promo regressor.
# Timed: prophet() + add_regressor + fit.prophet + predict (library load and
# data preparation excluded).
# Copyright (C) doliflow contributors.  GPL-3.0-or-later.
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; H <- as.integer(args[2])
suppressMessages(library(prophet))
d <- read.csv(path)
origin <- as.Date("2000-01-01")
cat("series,day,yhat,lo80,hi80\n")
for (s in sort(unique(d$series))) {
  x <- d[d$series == s, ]
  x <- x[order(x$day), ]
  n <- nrow(x) - H
  ds <- origin + x$day
  train <- data.frame(ds = ds[1:n], y = x$y[1:n], promo = x$promo[1:n])
  future <- data.frame(ds = ds[(n + 1):(n + H)], promo = x$promo[(n + 1):(n + H)])
  hol <- data.frame(holiday = "ferie", ds = ds[x$holiday == 1])
  t0 <- proc.time()[["elapsed"]]
  m <- prophet(holidays = hol, yearly.seasonality = TRUE, weekly.seasonality = TRUE,
               daily.seasonality = FALSE)
  m <- add_regressor(m, "promo")
  m <- suppressMessages(fit.prophet(m, train))
  fc <- predict(m, future)
  el <- proc.time()[["elapsed"]] - t0
  cat(sprintf("%d,%d,%.6f,%.6f,%.6f\n", s, x$day[(n + 1):(n + H)], fc$yhat,
              fc$yhat_lower, fc$yhat_upper), sep = "")
  cat(sprintf("#time,%d,%.6f\n", s, el))
}
