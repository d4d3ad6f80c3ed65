"""Entry point for `spark-submit` (see engine_spark): match and write the match file."""

from __future__ import annotations

import argparse

from sharppower.measures.media.engine_spark import match_spark, spark_session
from sharppower.measures.media.matchfile import write_matches


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="sharppower media matching on Spark")
    parser.add_argument("--wire", required=True)
    parser.add_argument("--local", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--on-error", default="fail", choices=["fail", "skip"])
    args = parser.parse_args(argv)
    spark = spark_session(master="")
    result = match_spark(spark, args.wire, args.local, on_error=args.on_error)
    write_matches(result.matches, args.out)
    print(f"{len(result.matches)} matches among {result.local_articles} local articles")


if __name__ == "__main__":
    main()
