"""Static report: the dashboard's pages written as a self-contained site that opens from
disk (file://) with no server and no network. See `sharppower.report.site.write_report`."""

from sharppower.report.site import ReportSummary, write_report

__all__ = ["ReportSummary", "write_report"]
