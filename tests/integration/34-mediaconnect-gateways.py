#!/usr/bin/env python3
# timeout: 60
"""MediaConnect VPC interfaces, gateways and bridges with boto3, no media: a gateway with two
networks (CREATING -> ACTIVE), no gateway instances (nothing on premises registers with an
emulator), an egress bridge on it fed by a flow through the flow's VPC interface, its sources
and outputs added, updated and removed, started and stopped; AWS's refusals (a bridge on a
missing gateway, a gateway that still has bridges, a running bridge deleted). Then one
CloudFormation stack with a flow + AWS::MediaConnect::FlowVpcInterface and a gateway + bridge +
BridgeSource + BridgeOutput: Ref and Fn::GetAtt read through the stack's Outputs and checked
against the service API, and everything gone after delete-stack. Built with botocore 1.29's
models (plain Debian 12), mediaemu has no gateway API: those checks say so and are skipped.
Needs boto3; exits 77 without it.
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check, check_eq, expect_error  # noqa: E402

try:
    import boto3  # noqa: F401
except ImportError:
    print("SKIP: boto3 is not installed (python3 -m pip install boto3)")
    sys.exit(77)

NETWORKS = [{"Name": "production", "CidrBlock": "192.168.1.0/24"}, {"Name": "backup", "CidrBlock": "192.168.2.0/24"}]
VPC = {"Name": "vpc1", "RoleArn": f"arn:aws:iam::{harness.ACCOUNT}:role/mediaconnect", "SecurityGroupIds": ["sg-0123"],
       "SubnetId": "subnet-0123"}


def gateway_api_missing(t):
    why = t.lacks("mediaconnect", "CreateGateway") or t.lacks("mediaconnect", "CreateBridge")
    if why:
        print(f"    skip gateway and bridge checks: {why}")
    return why


def wait_for(what, fn, done, seconds=10):
    deadline = time.monotonic() + seconds
    while True:
        value = fn()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def new_flow(mc, name, port):
    return mc.create_flow(Name=name, Source={"Name": "in", "Protocol": "rtp", "IngestPort": port,
                                             "WhitelistCidr": "127.0.0.0/8"})["Flow"]["FlowArn"]


def test_flow_vpc_interfaces(t):
    mc = t.client("mediaconnect")
    flow = new_flow(mc, harness.unique("vpc-flow"), 5400)
    added = mc.add_flow_vpc_interfaces(FlowArn=flow, VpcInterfaces=[VPC])["VpcInterfaces"][0]
    check_eq((added["Name"], added["SubnetId"], len(added["NetworkInterfaceIds"])), ("vpc1", "subnet-0123", 1),
             "AddFlowVpcInterfaces: the interface with one network interface id")
    expect_error(lambda: mc.add_flow_vpc_interfaces(FlowArn=flow, VpcInterfaces=[VPC]), 400, "BadRequestException",
                 "a second interface with the same name")
    mc.remove_flow_vpc_interface(FlowArn=flow, VpcInterfaceName="vpc1")
    check_eq(mc.describe_flow(FlowArn=flow)["Flow"].get("VpcInterfaces", []), [], "RemoveFlowVpcInterface")
    expect_error(lambda: mc.remove_flow_vpc_interface(FlowArn=flow, VpcInterfaceName="vpc1"), 404, "NotFoundException",
                 "removing it twice")
    mc.delete_flow(FlowArn=flow)


def test_gateways(t):
    if gateway_api_missing(t):
        return
    mc = t.client("mediaconnect")
    name = harness.unique("office")
    g = mc.create_gateway(Name=name, EgressCidrBlocks=["10.0.0.0/16"], Networks=NETWORKS)["Gateway"]
    arn = g["GatewayArn"]
    check(arn.startswith(f"arn:aws:mediaconnect:{harness.REGION}:{harness.ACCOUNT}:gateway:1-") and arn.endswith(":" + name),
          "CreateGateway: a gateway ARN", "arn:...:gateway:1-...:" + name, arn)
    state = wait_for("ACTIVE", lambda: mc.describe_gateway(GatewayArn=arn)["Gateway"]["GatewayState"], lambda s: s == "ACTIVE")
    check_eq(state, "ACTIVE", "the gateway settles ACTIVE")
    listed = [x for x in mc.list_gateways()["Gateways"] if x["GatewayArn"] == arn]
    check_eq(listed, [{"GatewayArn": arn, "GatewayState": "ACTIVE", "Name": name}], "ListGateways")
    check_eq(mc.list_gateway_instances(FilterArn=arn)["Instances"], [], "no instance registers with an emulator's gateway")
    expect_error(lambda: mc.describe_gateway_instance(GatewayInstanceArn=arn + ":instance:mi-0123456789abcdef0"), 404,
                 "NotFoundException", "DescribeGatewayInstance: unknown instance")
    expect_error(lambda: mc.create_gateway(Name="bad", EgressCidrBlocks=["10.0.0.0/99"], Networks=NETWORKS), 400,
                 "BadRequestException", "a CIDR block that is none")
    t.gateway = arn


def test_bridges(t):
    if gateway_api_missing(t):
        return
    mc = t.client("mediaconnect")
    gateway = t.gateway
    flow = new_flow(mc, harness.unique("bridge-flow"), 5401)
    mc.add_flow_vpc_interfaces(FlowArn=flow, VpcInterfaces=[VPC])
    expect_error(lambda: mc.create_bridge(Name="nowhere", PlacementArn=gateway + "x", EgressGatewayBridge={"MaxBitrate": 1000},
                                          Sources=[{"FlowSource": {"Name": "cloud", "FlowArn": flow}}]),
                 400, "BadRequestException", "CreateBridge on a gateway that does not exist")
    b = mc.create_bridge(Name="to-office", PlacementArn=gateway, EgressGatewayBridge={"MaxBitrate": 10_000_000},
                         Sources=[{"FlowSource": {"Name": "cloud", "FlowArn": flow,
                                                  "FlowVpcInterfaceAttachment": {"VpcInterfaceName": "vpc1"}}}],
                         Outputs=[{"NetworkOutput": {"Name": "office", "NetworkName": "production", "IpAddress": "192.168.1.200",
                                                     "Port": 5001, "Protocol": "rtp", "Ttl": 50}}])["Bridge"]
    arn = b["BridgeArn"]
    check_eq(wait_for("STANDBY", lambda: mc.describe_bridge(BridgeArn=arn)["Bridge"]["BridgeState"], lambda s: s == "STANDBY"),
             "STANDBY", "a new bridge settles STANDBY")
    listed = mc.list_bridges(FilterArn=gateway)["Bridges"]
    check_eq([(x["BridgeArn"], x["BridgeType"], x["PlacementArn"]) for x in listed], [(arn, "EGRESS", gateway)],
             "ListBridges by gateway")
    mc.add_bridge_sources(BridgeArn=arn, Sources=[{"FlowSource": {"Name": "second", "FlowArn": flow}}])
    mc.update_bridge_output(BridgeArn=arn, OutputName="office", NetworkOutput={"Port": 5002})
    mc.add_bridge_outputs(BridgeArn=arn, Outputs=[{"NetworkOutput": {"Name": "backup", "NetworkName": "backup", "IpAddress": "192.168.2.9",
                                                                     "Port": 5003, "Protocol": "udp", "Ttl": 5}}])
    mc.update_bridge(BridgeArn=arn, EgressGatewayBridge={"MaxBitrate": 20_000_000})
    bridge = mc.describe_bridge(BridgeArn=arn)["Bridge"]
    check_eq(([s["FlowSource"]["Name"] for s in bridge["Sources"]], [o["NetworkOutput"]["Port"] for o in bridge["Outputs"]],
              bridge["EgressGatewayBridge"]["MaxBitrate"]), (["cloud", "second"], [5002, 5003], 20_000_000),
             "sources and outputs added and updated, UpdateBridge")
    mc.remove_bridge_output(BridgeArn=arn, OutputName="backup")
    mc.remove_bridge_source(BridgeArn=arn, SourceName="second")
    expect_error(lambda: mc.add_bridge_outputs(BridgeArn=arn, Outputs=[{"NetworkOutput": {
        "Name": "x", "NetworkName": "studio", "IpAddress": "10.0.0.1", "Port": 1, "Protocol": "rtp", "Ttl": 1}}]),
        400, "BadRequestException", "an output on a network the gateway does not have")

    mc.update_bridge_state(BridgeArn=arn, DesiredState="ACTIVE")
    check_eq(wait_for("ACTIVE", lambda: mc.describe_bridge(BridgeArn=arn)["Bridge"]["BridgeState"], lambda s: s == "ACTIVE"),
             "ACTIVE", "UpdateBridgeState ACTIVE")
    expect_error(lambda: mc.delete_bridge(BridgeArn=arn), 409, "ConflictException", "a running bridge is not deleted")
    expect_error(lambda: mc.delete_gateway(GatewayArn=gateway), 409, "ConflictException", "a gateway with bridges is not deleted")
    mc.update_bridge_state(BridgeArn=arn, DesiredState="STANDBY")
    wait_for("STANDBY", lambda: mc.describe_bridge(BridgeArn=arn)["Bridge"]["BridgeState"], lambda s: s == "STANDBY")
    mc.delete_bridge(BridgeArn=arn)
    expect_error(lambda: mc.describe_bridge(BridgeArn=arn), 404, "NotFoundException", "the bridge is gone")
    mc.delete_gateway(GatewayArn=gateway)
    expect_error(lambda: mc.describe_gateway(GatewayArn=gateway), 404, "NotFoundException", "the gateway is gone")
    mc.delete_flow(FlowArn=flow)


def stack_template(with_gateway: bool, subnet: str = "subnet-0123", bitrate: int = 10_000_000, port: int = 5001) -> str:
    resources = {
        "Flow": {"Type": "AWS::MediaConnect::Flow",
                 "Properties": {"Name": "cfn-flow", "Source": {"Name": "in", "Protocol": "rtp", "IngestPort": 5410,
                                                              "WhitelistCidr": "127.0.0.0/8"}}},
        "FlowVpc": {"Type": "AWS::MediaConnect::FlowVpcInterface",
                    "Properties": dict(VPC, FlowArn={"Ref": "Flow"}, SubnetId=subnet)},
    }
    outputs = {"FlowArn": {"Value": {"Ref": "Flow"}},
               "VpcRef": {"Value": {"Ref": "FlowVpc"}},
               "VpcEnis": {"Value": {"Fn::Join": [",", {"Fn::GetAtt": ["FlowVpc", "NetworkInterfaceIds"]}]}}}
    if with_gateway:
        resources.update({
            "Gateway": {"Type": "AWS::MediaConnect::Gateway",
                        "Properties": {"Name": "cfn-office", "EgressCidrBlocks": ["10.0.0.0/16"], "Networks": NETWORKS}},
            "Bridge": {"Type": "AWS::MediaConnect::Bridge", "DependsOn": "FlowVpc",
                       "Properties": {"Name": "cfn-bridge", "PlacementArn": {"Ref": "Gateway"},
                                      "EgressGatewayBridge": {"MaxBitrate": bitrate},
                                      "Sources": [{"FlowSource": {"Name": "cloud", "FlowArn": {"Ref": "Flow"},
                                                                  "FlowVpcInterfaceAttachment": {"VpcInterfaceName": "vpc1"}}}]}},
            "BridgeSource": {"Type": "AWS::MediaConnect::BridgeSource",
                             "Properties": {"BridgeArn": {"Ref": "Bridge"}, "Name": "second",
                                            "FlowSource": {"FlowArn": {"Ref": "Flow"}}}},
            "BridgeOutput": {"Type": "AWS::MediaConnect::BridgeOutput",
                             "Properties": {"BridgeArn": {"Ref": "Bridge"}, "Name": "office",
                                            "NetworkOutput": {"IpAddress": "192.168.1.200", "NetworkName": "production",
                                                              "Port": port, "Protocol": "rtp", "Ttl": 50}}},
        })
        outputs.update({
            "GatewayRef": {"Value": {"Ref": "Gateway"}},
            "GatewayArn": {"Value": {"Fn::GetAtt": ["Gateway", "GatewayArn"]}},
            "GatewayState": {"Value": {"Fn::GetAtt": ["Gateway", "GatewayState"]}},
            "BridgeRef": {"Value": {"Ref": "Bridge"}},
            "BridgeArn": {"Value": {"Fn::GetAtt": ["Bridge", "BridgeArn"]}},
            "BridgeState": {"Value": {"Fn::GetAtt": ["Bridge", "BridgeState"]}},
            "BridgeSourceRef": {"Value": {"Ref": "BridgeSource"}},
            "BridgeOutputRef": {"Value": {"Ref": "BridgeOutput"}},
        })
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources, "Outputs": outputs})


def test_stack_with_vpc_interface_gateway_and_bridge(t):
    cf, mc = t.client("cloudformation"), t.client("mediaconnect")
    with_gateway = not gateway_api_missing(t)
    cf.create_stack(StackName="mc-gateways", TemplateBody=stack_template(with_gateway))
    cf.get_waiter("stack_create_complete").wait(StackName="mc-gateways", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    out = {o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName="mc-gateways")["Stacks"][0]["Outputs"]}
    flow = mc.describe_flow(FlowArn=out["FlowArn"])["Flow"]
    vpc = [v for v in flow.get("VpcInterfaces", []) if v["Name"] == "vpc1"]
    check_eq(out["VpcRef"], out["FlowArn"] + "|vpc1", "FlowVpcInterface Ref: the flow ARN and the interface name")
    check_eq(out["VpcEnis"], ",".join(vpc[0]["NetworkInterfaceIds"]) if vpc else None,
             "FlowVpcInterface GetAtt NetworkInterfaceIds: the flow's interface's ids")
    if with_gateway:
        gateway = mc.describe_gateway(GatewayArn=out["GatewayRef"])["Gateway"]
        check_eq((out["GatewayArn"], out["GatewayState"], gateway["Name"]), (out["GatewayRef"], "ACTIVE", "cfn-office"),
                 "Gateway Ref and GetAtt GatewayArn/GatewayState")
        bridge = mc.describe_bridge(BridgeArn=out["BridgeRef"])["Bridge"]
        check_eq((out["BridgeArn"], out["BridgeState"], bridge["PlacementArn"]), (out["BridgeRef"], "STANDBY", out["GatewayRef"]),
                 "Bridge Ref and GetAtt BridgeArn/BridgeState, placed on the stack's gateway")
        check_eq((out["BridgeSourceRef"], out["BridgeOutputRef"]), (out["BridgeRef"] + "|second", out["BridgeRef"] + "|office"),
                 "BridgeSource and BridgeOutput Ref: the bridge ARN and the name")
        check_eq(([s["FlowSource"]["Name"] for s in bridge["Sources"]], [o["NetworkOutput"]["Name"] for o in bridge["Outputs"]]),
                 (["cloud", "second"], ["office"]), "the bridge has the template's source plus BridgeSource and BridgeOutput")
    # An update: the VPC interface's subnet (no interruption: removed and added under its name),
    # the bridge's bitrate (UpdateBridge) and the output's port (UpdateBridgeOutput).
    cf.update_stack(StackName="mc-gateways", TemplateBody=stack_template(with_gateway, "subnet-0456", 20_000_000, 5005))
    cf.get_waiter("stack_update_complete").wait(StackName="mc-gateways", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    after = {o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName="mc-gateways")["Stacks"][0]["Outputs"]}
    vpc = [v for v in mc.describe_flow(FlowArn=out["FlowArn"])["Flow"].get("VpcInterfaces", []) if v["Name"] == "vpc1"]
    check_eq(([v["SubnetId"] for v in vpc], after["VpcRef"]), (["subnet-0456"], out["VpcRef"]),
             "stack update: the VPC interface has the new subnet and the same Ref")
    if with_gateway:
        bridge = mc.describe_bridge(BridgeArn=out["BridgeRef"])["Bridge"]
        check_eq((after["BridgeRef"], bridge["EgressGatewayBridge"]["MaxBitrate"], [o["NetworkOutput"]["Port"] for o in bridge["Outputs"]]),
                 (out["BridgeRef"], 20_000_000, [5005]), "stack update: the same bridge, its new bitrate and output port")
    cf.delete_stack(StackName="mc-gateways")
    cf.get_waiter("stack_delete_complete").wait(StackName="mc-gateways", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    expect_error(lambda: mc.describe_flow(FlowArn=out["FlowArn"]), 404, "NotFoundException", "the stack's flow is gone")
    if with_gateway:
        expect_error(lambda: mc.describe_bridge(BridgeArn=out["BridgeRef"]), 404, "NotFoundException", "the stack's bridge is gone")
        expect_error(lambda: mc.describe_gateway(GatewayArn=out["GatewayRef"]), 404, "NotFoundException", "the stack's gateway is gone")
        check_eq(mc.list_bridges()["Bridges"], [], "no bridges remain")
        check_eq(mc.list_gateways()["Gateways"], [], "no gateways remain")


harness.main(globals())
