#!/usr/bin/env python3
# timeout: 120
"""MediaConnect routers with boto3: a PUBLIC router network interface (CREATING -> ACTIVE), an RTP
router input and an RTP router output on it, TakeRouterInput, both started; RTP packets sent
to the input's port really arrive at the output's destination, and stop arriving once the
route is taken away. AWS's refusals: a network interface still in use, a running input deleted,
a bitrate above the tier, unknown ARNs, the thumbnail no frame was decoded for. Tags through
the service's TagResource. Then `aws cloudformation deploy` (the AWS CLI v2) of a template with
AWS::MediaConnect::RouterNetworkInterface, ::RouterInput and ::RouterOutput: Ref and Fn::GetAtt
read through the stack's Outputs and checked against the service API, an update in place
(update-stack through boto3), and everything gone after delete-stack.
The router calls use boto3: the AWS CLI v2 Debian packages (2.9) predates the router API and has
no router commands. Built with a botocore whose model lacks routers, mediaemu has no router API:
those checks say so and are skipped. Needs boto3; exits 77 without it.
"""

import json
import random
import socket
import struct
import sys
import tempfile
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

MISSING_INPUT = f"arn:aws:mediaconnect:{harness.REGION}:{harness.ACCOUNT}:routerInput:000000000000"


def router_api_missing(t):
    why = t.lacks("mediaconnect", "CreateRouterInput") or t.lacks("mediaconnect", "TakeRouterInput")
    if why:
        print(f"    skip router checks: {why}")
    return why


def wait_for(fn, done, seconds=10):
    deadline = time.monotonic() + seconds
    while True:
        value = fn()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def udp_port_in(low, high):
    """A UDP port in [low, high] nothing on this machine holds (RtpRouterInputConfiguration.Port
    is 3000-30000)."""
    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free UDP port")


def rtp_packet(seq, payload):
    return struct.pack("!BBHII", 0x80, 33, seq & 0xFFFF, seq * 3000, 0x1234ABCD) + payload


def relayed(sender, receiver, port, count=20, first_seq=0):
    """Sends `count` RTP packets to the input's port; returns the payloads the output delivered."""
    got = []
    for i in range(count):
        sender.sendto(rtp_packet(first_seq + i, b"router-%d" % (first_seq + i)), ("127.0.0.1", port))
        time.sleep(0.005)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and len(got) < count:
        try:
            data = receiver.recv(2048)
            got.append(data[12:])
        except socket.timeout:
            break
    return got


def state(mc, kind, arn):
    try:
        return getattr(mc, f"get_router_{kind}")(Arn=arn)[f"Router{kind.title().replace('_', '')}"]["State"]
    except mc.exceptions.NotFoundException:
        return "gone"


def test_routed_rtp_reaches_the_output(t):
    if router_api_missing(t):
        return
    mc = t.client("mediaconnect")
    ni = mc.create_router_network_interface(
        Name=harness.unique("studio"), Configuration={"Public": {"AllowRules": [{"Cidr": "127.0.0.0/8"}]}})["RouterNetworkInterface"]
    check(ni["Arn"].split(":")[5] == "routerNetworkInterface" and len(ni["Id"]) == 12, "network interface ARN in AWS's form", got=ni["Arn"])
    check_eq(wait_for(lambda: state(mc, "network_interface", ni["Arn"]), lambda s: s != "CREATING"), "ACTIVE",
             "the network interface settles ACTIVE")
    in_port, out_port = udp_port_in(3000, 30000), udp_port_in(20000, 30000)
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", out_port))
    receiver.settimeout(0.5)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        inp = mc.create_router_input(
            Name="camera-1", MaximumBitrate=20_000_000, RoutingScope="REGIONAL", Tier="INPUT_20",
            Configuration={"Standard": {"NetworkInterfaceArn": ni["Arn"], "ProtocolConfiguration": {"Rtp": {"Port": in_port}}}},
            Tags={"team": "sports"})["RouterInput"]
        out = mc.create_router_output(
            Name="playout", MaximumBitrate=20_000_000, RoutingScope="REGIONAL", Tier="OUTPUT_20",
            Configuration={"Standard": {"NetworkInterfaceArn": ni["Arn"], "ProtocolConfiguration": {
                "Rtp": {"DestinationAddress": "127.0.0.1", "DestinationPort": out_port}}}})["RouterOutput"]
        check_eq((inp["InputType"], inp["Configuration"]["Standard"]["Protocol"], out["RoutedState"]), ("STANDARD", "RTP", "UNROUTED"),
                 "a STANDARD RTP input and an unrouted output")
        for kind, arn in (("input", inp["Arn"]), ("output", out["Arn"])):
            check_eq(wait_for(lambda: state(mc, kind, arn), lambda s: s != "CREATING"), "STANDBY", f"the router {kind} settles STANDBY")
        check_eq(mc.list_tags_for_resource(ResourceArn=inp["Arn"])["Tags"], {"team": "sports"}, "the input's tags, through ListTagsForResource")
        mc.tag_resource(ResourceArn=out["Arn"], Tags={"stage": "b"})
        check_eq(mc.get_router_output(Arn=out["Arn"])["RouterOutput"]["Tags"], {"stage": "b"}, "TagResource on a router output")

        take = mc.take_router_input(RouterOutputArn=out["Arn"], RouterInputArn=inp["Arn"])
        check_eq((take["RoutedState"], take["RouterInputName"]), ("ROUTED", "camera-1"), "TakeRouterInput routes the input")
        started = mc.start_router_input(Arn=inp["Arn"])
        check_eq((started["State"], started["MaintenanceScheduleType"]), ("STARTING", "WINDOW"), "StartRouterInput")
        mc.start_router_output(Arn=out["Arn"])
        for kind, arn in (("input", inp["Arn"]), ("output", out["Arn"])):
            check_eq(wait_for(lambda: state(mc, kind, arn), lambda s: s == "ACTIVE"), "ACTIVE", f"the router {kind} is ACTIVE")
        check_eq(mc.get_router_input(Arn=inp["Arn"])["RouterInput"]["RoutedOutputs"], 1, "the input counts its routed output")
        time.sleep(0.3)  # the relay binds on its own thread
        got = relayed(sender, receiver, in_port)
        check(len(got) >= 18 and got[0] == b"router-0", "RTP sent to the input arrives at the output's destination",
              expected="20 packets", got=f"{len(got)}: {got[:2]}")

        untake = mc.take_router_input(RouterOutputArn=out["Arn"])
        check_eq(untake["RoutedState"], "UNROUTED", "TakeRouterInput without an input removes the route")
        time.sleep(0.3)
        check_eq(relayed(sender, receiver, in_port, count=5, first_seq=100), [], "an unrouted output receives nothing")

        expect_error(lambda: mc.delete_router_network_interface(Arn=ni["Arn"]), 409, "ConflictException",
                     "a network interface its I/Os use cannot be deleted")
        expect_error(lambda: mc.delete_router_input(Arn=inp["Arn"]), 409, "ConflictException", "a running input cannot be deleted")
        expect_error(lambda: mc.get_router_input(Arn=MISSING_INPUT), 404, "NotFoundException", "an unknown router input")
        expect_error(lambda: mc.take_router_input(RouterOutputArn=out["Arn"], RouterInputArn=MISSING_INPUT), 404,
                     "NotFoundException", "taking an unknown router input")
        err = expect_error(lambda: mc.create_router_input(
            Name="too-fast", MaximumBitrate=60_000_000, RoutingScope="REGIONAL", Tier="INPUT_20",
            Configuration={"Standard": {"NetworkInterfaceArn": ni["Arn"], "ProtocolConfiguration": {"Rtp": {"Port": 4000}}}}),
            400, "BadRequestException", "a bitrate above the tier")
        check(err is not None and "MaximumBitrate" in err["Error"]["Message"], "the error names MaximumBitrate", got=err)
        expect_error(lambda: mc.get_router_input_thumbnail(Arn=inp["Arn"]), 501, "NotImplementedException",
                     "no thumbnail: mediaemu decodes no frames of router inputs")
        batch = mc.batch_get_router_input(Arns=[inp["Arn"], MISSING_INPUT])
        check_eq(([r["Arn"] for r in batch["RouterInputs"]], [e["Arn"] for e in batch["Errors"]]), ([inp["Arn"]], [MISSING_INPUT]),
                 "BatchGetRouterInput: the input found, the unknown ARN in Errors")
        names = [r["Name"] for r in mc.list_router_inputs(Filters=[{"InputTypes": ["STANDARD"]}])["RouterInputs"]]
        check("camera-1" in names, "ListRouterInputs with an InputTypes filter", got=names)

        for kind, arn in (("input", inp["Arn"]), ("output", out["Arn"])):
            getattr(mc, f"stop_router_{kind}")(Arn=arn)
            check_eq(wait_for(lambda: state(mc, kind, arn), lambda s: s != "STOPPING"), "STANDBY", f"the stopped {kind} is STANDBY")
            getattr(mc, f"delete_router_{kind}")(Arn=arn)
            check_eq(wait_for(lambda: state(mc, kind, arn), lambda s: s == "gone"), "gone", f"the deleted {kind} is gone (404)")
        mc.delete_router_network_interface(Arn=ni["Arn"])
        check_eq(wait_for(lambda: state(mc, "network_interface", ni["Arn"]), lambda s: s == "gone"), "gone",
                 "the network interface is gone once nothing uses it")
    finally:
        receiver.close()
        sender.close()


def router_template(bitrate):
    return json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Interface": {"Type": "AWS::MediaConnect::RouterNetworkInterface",
                          "Properties": {"Name": "cfn-studio", "Configuration": {"Public": {"AllowRules": [{"Cidr": "10.0.0.0/8"}]}},
                                         "Tags": [{"Key": "stack", "Value": "routers"}]}},
            "Input": {"Type": "AWS::MediaConnect::RouterInput",
                      "Properties": {"Name": "cfn-camera", "MaximumBitrate": bitrate, "RoutingScope": "REGIONAL", "Tier": "INPUT_50",
                                     "Configuration": {"Standard": {"NetworkInterfaceArn": {"Ref": "Interface"},
                                                                    "ProtocolConfiguration": {"Rtp": {"Port": 5600}}}}}},
            "Output": {"Type": "AWS::MediaConnect::RouterOutput",
                       "Properties": {"Name": "cfn-playout", "MaximumBitrate": bitrate, "RoutingScope": "REGIONAL", "Tier": "OUTPUT_50",
                                      "Configuration": {"Standard": {"NetworkInterfaceArn": {"Fn::GetAtt": ["Interface", "Arn"]},
                                                                     "ProtocolConfiguration": {"Rtp": {"DestinationAddress": "10.1.2.3",
                                                                                                       "DestinationPort": 5700}}}}}},
        },
        "Outputs": {
            "InterfaceRef": {"Value": {"Ref": "Interface"}},
            "InterfaceId": {"Value": {"Fn::GetAtt": ["Interface", "Id"]}},
            "InterfaceType": {"Value": {"Fn::GetAtt": ["Interface", "NetworkInterfaceType"]}},
            "InterfaceInputs": {"Value": {"Fn::GetAtt": ["Interface", "AssociatedInputCount"]}},
            "InputRef": {"Value": {"Ref": "Input"}},
            "InputArn": {"Value": {"Fn::GetAtt": ["Input", "Arn"]}},
            "InputType": {"Value": {"Fn::GetAtt": ["Input", "InputType"]}},
            "InputState": {"Value": {"Fn::GetAtt": ["Input", "State"]}},
            "InputIp": {"Value": {"Fn::GetAtt": ["Input", "IpAddress"]}},
            "InputCreatedAt": {"Value": {"Fn::GetAtt": ["Input", "CreatedAt"]}},
            "OutputRef": {"Value": {"Ref": "Output"}},
            "OutputType": {"Value": {"Fn::GetAtt": ["Output", "OutputType"]}},
            "OutputRoutedState": {"Value": {"Fn::GetAtt": ["Output", "RoutedState"]}},
            "OutputMaintenanceType": {"Value": {"Fn::GetAtt": ["Output", "MaintenanceType"]}},
        },
    })


def deploy(t, template_body):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(template_body)
    r = t.cli(["cloudformation", "deploy", "--template-file", f.name, "--stack-name", "mc-routers"], v2=True)
    Path(f.name).unlink()
    return r


def test_stack_with_the_three_router_types(t):
    if router_api_missing(t):
        return
    if not Path("/usr/bin/aws").exists():
        print("    skip the stack: no AWS CLI v2 at /usr/bin/aws for `aws cloudformation deploy`")
        return
    cf, mc = t.client("cloudformation"), t.client("mediaconnect")
    r = deploy(t, router_template(30_000_000))
    if not check(r.returncode == 0, "aws cloudformation deploy creates the router stack", got=r.stdout + r.stderr):
        return
    out = {o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName="mc-routers")["Stacks"][0]["Outputs"]}
    ni = mc.get_router_network_interface(Arn=out["InterfaceRef"])["RouterNetworkInterface"]
    # GetAtt values are read when the resource is created, before the stack's I/Os use it.
    check_eq((out["InterfaceId"], out["InterfaceType"], out["InterfaceInputs"], ni["Tags"], ni["AssociatedInputCount"]),
             (ni["Id"], "PUBLIC", "0", {"stack": "routers"}, 1),
             "RouterNetworkInterface Ref (the ARN) and GetAtt Id/NetworkInterfaceType/AssociatedInputCount, tags from the list")
    inp = mc.get_router_input(Arn=out["InputRef"])["RouterInput"]
    check_eq((out["InputArn"], out["InputType"], out["InputState"], out["InputIp"], inp["Name"], inp["MaximumBitrate"]),
             (out["InputRef"], "STANDARD", "STANDBY", inp["IpAddress"], "cfn-camera", 30_000_000),
             "RouterInput Ref (the ARN) and GetAtt Arn/InputType/State/IpAddress")
    check(out["InputCreatedAt"].startswith(str(inp["CreatedAt"].year)), "RouterInput GetAtt CreatedAt", got=out["InputCreatedAt"])
    output = mc.get_router_output(Arn=out["OutputRef"])["RouterOutput"]
    check_eq((out["OutputType"], out["OutputRoutedState"], out["OutputMaintenanceType"], output["Configuration"]["Standard"]["NetworkInterfaceArn"]),
             ("STANDARD", "UNROUTED", "DEFAULT", out["InterfaceRef"]), "RouterOutput Ref and GetAtt OutputType/RoutedState/MaintenanceType")

    # The update through boto3: the CLI's deploy waits 30 s between polls of the stack.
    cf.update_stack(StackName="mc-routers", TemplateBody=router_template(40_000_000))
    cf.get_waiter("stack_update_complete").wait(StackName="mc-routers", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    after = {o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName="mc-routers")["Stacks"][0]["Outputs"]}
    check_eq((after["InputRef"], mc.get_router_input(Arn=out["InputRef"])["RouterInput"]["MaximumBitrate"],
              mc.get_router_output(Arn=out["OutputRef"])["RouterOutput"]["MaximumBitrate"]),
             (out["InputRef"], 40_000_000, 40_000_000), "stack update: the same input and output, their new bitrate")

    cf.delete_stack(StackName="mc-routers")
    cf.get_waiter("stack_delete_complete").wait(StackName="mc-routers", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    expect_error(lambda: mc.get_router_input(Arn=out["InputRef"]), 404, "NotFoundException", "the stack's input is gone")
    expect_error(lambda: mc.get_router_output(Arn=out["OutputRef"]), 404, "NotFoundException", "the stack's output is gone")
    expect_error(lambda: mc.get_router_network_interface(Arn=out["InterfaceRef"]), 404, "NotFoundException",
                 "the stack's network interface is gone")


harness.main(globals())
