"""Scheduled storage jobs dandihub runs as Kubernetes CronJobs: old-file cleanup of shared
directories, and the inactive-home policy with its weekly usage audit. Standard library only,
except the S3 upload of home archives (boto3, present in the job's image).

Nothing is deleted without a report of it first: dry-run is the default, and a home is emptied
only after its archive is confirmed in S3.
"""
