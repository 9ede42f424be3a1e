# forecast_r.R - the R peers of test/bench/forecast_accuracy.py, one series per
# line of a wide CSV (id, values...), each fit timed on its own (library load
# excluded).  Output: id,method,seconds,f1..fH.
#   Rscript forecast_r.R daily    in.csv H  -> forecast::ets (frequency 7, defaults)
#                                             and prophet (weekly + yearly, defaults)
#   Rscript forecast_r.R carparts in.csv H  -> forecast::croston (alpha 0.1) and
#                                             SBA = croston x (1 - 0.1/2)
#   Rscript forecast_r.R ets      in.csv H period -> forecast::ets only
#   Rscript forecast_r.R peers    in.csv H period [ets,theta,arima]
#       -> forecast::ets, thetaf and auto.arima (defaults) with 80% and 95%
#          intervals: id,method,seconds,f1..fH,lo80..,hi80..,lo95..,hi95..
# Copyright (C) doliflow contributors.  GPL-3.0-or-later.
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]; path <- args[2]; H <- as.integer(args[3])
period <- if (length(args) >= 4) as.integer(args[4]) else 7L
suppressMessages(library(forecast))
if (mode == "daily") suppressMessages(library(prophet))
which <- if (length(args) >= 5) strsplit(args[5], ",")[[1]] else c("ets", "theta", "arima")
emit_pi <- function(id, method, sec, fc) {
  lo <- fc$lower; hi <- fc$upper
  v <- c(as.numeric(fc$mean), lo[, 1], hi[, 1], lo[, 2], hi[, 2])
  cat(id, ",", method, ",", sprintf("%.6f", sec), ",", paste(sprintf("%.10g", v), collapse = ","), "\n", sep = "")
}
lines <- readLines(path)
emit <- function(id, method, sec, f) {
  cat(id, ",", method, ",", sprintf("%.6f", sec), ",", paste(sprintf("%.8g", f), collapse = ","), "\n", sep = "")
}
for (ln in lines) {
  parts <- strsplit(ln, ",")[[1]]
  id <- gsub('"', "", parts[1])
  v <- suppressWarnings(as.numeric(gsub('"', "", parts[-1])))
  if (all(is.na(v))) next
  v <- v[!is.na(v)]
  if (mode == "daily" || mode == "ets") {
    y <- ts(v, frequency = if (mode == "daily") 7 else period)
    t0 <- proc.time()[["elapsed"]]
    fit <- ets(y)
    f <- forecast(fit, h = H)$mean
    emit(id, "R_ets", proc.time()[["elapsed"]] - t0, f)
  }
  if (mode == "daily") {
    df <- data.frame(ds = as.Date("2021-01-01") + 0:(length(v) - 1), y = v)
    t0 <- proc.time()[["elapsed"]]
    m <- suppressMessages(prophet(df, yearly.seasonality = TRUE, weekly.seasonality = TRUE,
                                  daily.seasonality = FALSE))
    fut <- make_future_dataframe(m, periods = H, include_history = FALSE)
    f <- predict(m, fut)$yhat
    emit(id, "R_prophet", proc.time()[["elapsed"]] - t0, f)
  }
  if (mode == "peers") {
    y <- ts(v, frequency = period)
    for (w in which) {
      t0 <- proc.time()[["elapsed"]]
      fc <- tryCatch(switch(w,
        ets = forecast(ets(y), h = H, level = c(80, 95)),
        theta = thetaf(y, h = H, level = c(80, 95)),
        arima = forecast(auto.arima(y), h = H, level = c(80, 95))),
        error = function(e) NULL)
      if (!is.null(fc)) emit_pi(id, paste0("R_", w), proc.time()[["elapsed"]] - t0, fc)
    }
  }
  if (mode == "carparts") {
    t0 <- proc.time()[["elapsed"]]
    f <- croston(v, h = H)$mean
    el <- proc.time()[["elapsed"]] - t0
    emit(id, "R_croston", el, f)
    emit(id, "R_sba", el, f * (1 - 0.1 / 2))
  }
}
