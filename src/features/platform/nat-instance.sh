#!/bin/bash
# dandihub NAT instance, run once at first boot (user data). The private route tables point at a
# fixed network interface (tagged @NAT_TAG@=@DEPLOYMENT@) that outlives instances: attach it, take
# it from the instance this one replaces if it is still held, then forward the VPC's traffic out
# of the primary interface, whose public address the internet gateway maps.
set -euo pipefail
VPC_CIDR="@VPC_CIDR@"

metadata() {
  local token
  token=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
  curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}
interface() { aws ec2 describe-network-interfaces --network-interface-ids "$NAT_INTERFACE" --query "NetworkInterfaces[0].$1" --output text; }

INSTANCE=$(metadata instance-id)
AWS_DEFAULT_REGION=$(metadata placement/region)
export AWS_DEFAULT_REGION
PUBLIC_IF=$(ip -o route show default | awk '{print $5; exit}')
NAT_INTERFACE=$(aws ec2 describe-network-interfaces --filters "Name=tag:@NAT_TAG@,Values=@DEPLOYMENT@" \
  --query "NetworkInterfaces[0].NetworkInterfaceId" --output text)

# Forwarded packets carry other hosts' addresses: the primary interface must pass them.
aws ec2 modify-instance-attribute --instance-id "$INSTANCE" --no-source-dest-check

for _ in $(seq 1 30); do
  [ "$(interface Status)" = available ] && break
  held_by=$(interface Attachment.AttachmentId)
  if [ "$held_by" != None ]; then aws ec2 detach-network-interface --attachment-id "$held_by" --force || true; fi
  sleep 10
done
aws ec2 attach-network-interface --instance-id "$INSTANCE" --device-index 1 --network-interface-id "$NAT_INTERFACE"

MAC=$(interface MacAddress)
for _ in $(seq 1 60); do
  ip -o link | grep -qi "$MAC" && break
  sleep 2
done

cat >/etc/sysctl.d/90-dandihub-nat.conf <<SYSCTL
net.ipv4.ip_forward = 1
net.ipv4.conf.all.rp_filter = 0
net.ipv4.conf.default.rp_filter = 0
SYSCTL
sysctl --system >/dev/null
for conf in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >"$conf"; done

command -v nft >/dev/null || dnf install -y nftables
mkdir -p /etc/nftables
cat >/etc/nftables/dandihub-nat.nft <<NFT
table ip dandihub_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr $VPC_CIDR ip daddr != $VPC_CIDR oifname "$PUBLIC_IF" masquerade
  }
}
NFT
echo 'include "/etc/nftables/dandihub-nat.nft"' >/etc/sysconfig/nftables.conf
systemctl enable --now nftables
systemctl restart nftables
