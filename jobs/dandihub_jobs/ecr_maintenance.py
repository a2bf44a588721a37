"""Keeps the ECR repositories of images built here tidy, scanned and attributable.

    python3 -m dandihub_jobs.ecr_maintenance --prefix <name>-builds/ --keep-days 30 \
        --tag dandihub:deployment=<name>

The image builder creates one repository per built Git repository, under --prefix. For each
such repository, every run (idempotently):

- sets the lifecycle policy: untagged images expire after a day, any image after --keep-days
  since its push (a rebuild of the same commit pushes again, so images in use stay);
- turns on scan-on-push (basic scanning: findings show in the ECR console and API), and scans
  images pushed before that (the builder creates a repository with its first push);
- tags it (--tag, repeatable), so its storage shows on the deployment's bill.

Repositories outside the prefix are never touched. One JSON line per repository on stdout.
"""
import argparse
import json
import sys

UNTAGGED_DAYS = 1


def lifecycle_policy(keep_days):
    """The ECR lifecycle policy document (the `any` rule must have the largest priority)."""
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Untagged layers of rebuilt images: {UNTAGGED_DAYS} day",
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": UNTAGGED_DAYS},
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Built images: {keep_days} days after their last push",
                "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": keep_days},
                "action": {"type": "expire"},
            },
        ]
    }


def build_repositories(client, prefix):
    """(name, arn) of every repository under prefix."""
    found = []
    for page in client.get_paginator("describe_repositories").paginate():
        for repo in page.get("repositories", []):
            if repo["repositoryName"].startswith(prefix):
                found.append((repo["repositoryName"], repo["repositoryArn"]))
    return found


def scan_unscanned(client, name):
    """Starts a basic scan of each image of the repository that has none; returns how many."""
    started = 0
    for page in client.get_paginator("describe_images").paginate(repositoryName=name):
        for image in page.get("imageDetails", []):
            if image.get("imageScanStatus") or image.get("imageScanFindingsSummary"):
                continue
            client.start_image_scan(repositoryName=name, imageId={"imageDigest": image["imageDigest"]})
            started += 1
    return started


def maintain(client, prefix, keep_days, tags):
    """Applies the policy, scanning and tags to each build repository; returns one report per repository."""
    if not prefix.endswith("/") or len(prefix) < 2:
        raise ValueError(f"--prefix must be a repository prefix ending in '/', not {prefix!r}")
    if keep_days < 1:
        raise ValueError("--keep-days must be at least 1")
    policy = json.dumps(lifecycle_policy(keep_days), sort_keys=True)
    reports = []
    for name, arn in build_repositories(client, prefix):
        report = {"repository": name}
        try:
            client.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=policy)
            client.put_image_scanning_configuration(repositoryName=name, imageScanningConfiguration={"scanOnPush": True})
            report["scansStarted"] = scan_unscanned(client, name)
            if tags:
                client.tag_resource(resourceArn=arn, tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())])
            report["status"] = "ok"
        except Exception as e:  # one bad repository must not stop the others
            report.update(status="error", error=f"{type(e).__name__}: {e}")
        reports.append(report)
    return reports


def parse_tags(items):
    tags = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--tag takes key=value, not {item!r}")
        tags[key] = value
    return tags


def main(argv=None, client=None, out=sys.stdout):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--prefix", required=True)
    p.add_argument("--keep-days", type=int, required=True)
    p.add_argument("--tag", action="append", default=[])
    args = p.parse_args(argv)
    if client is None:
        import boto3  # only in the job image; tests pass a stand-in

        client = boto3.client("ecr")
    reports = maintain(client, args.prefix, args.keep_days, parse_tags(args.tag))
    for r in reports:
        out.write(json.dumps(r, sort_keys=True) + "\n")
    out.write(json.dumps({"summary": {"repositories": len(reports), "errors": sum(r["status"] == "error" for r in reports)}}) + "\n")
    return 1 if any(r["status"] == "error" for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
