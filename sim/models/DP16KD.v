// Behavioural model of the Lattice ECP5 DP16KD (18 Kbit block RAM), for simulating
// ECP5-flavoured netlists (Yosys ships only a blackbox for this cell). Written after the ECP5
// memory usage guide (FPGA-TN-02204, formerly TN1264) and Yosys's description of the cell
// (share/lattice/brams_16kd.txt, brams_map_16kd.v), in the configurations Yosys maps
// memories to: true dual port with each port 18 or 9 bits wide, and pseudo dual port 36 bits
// wide (port A writes, port B reads; data on DIB:DIA and DOB:DOA). Any other configuration
// stops the simulation.
//
// - The array is 1,024 words of 18 bits; INITVAL_00 .. INITVAL_3F each hold 16 of them, word
//   k of row r (address 16 r + k) in bits [20 k +: 18] (two pad bits per word), the layout
//   Yosys's memory mapping (lattice/brams_map_16kd.v) and nextpnr's bitstream writer use.
// - Addresses are ADx[13:5] for 36 bits (ADA[3:0] enable its four 9-bit bytes on a write),
//   ADx[13:4] for 18 bits (ADx[1:0] enable its two bytes) and ADx[13:3] for 9 bits (ADx[3]
//   picks the word's low or high byte).
// - A port acts on a clock edge (CLKxMUX "INV": the falling edge) only while CEx is high and
//   CSx[2:0] equals CSDECODE_x: WEx high writes, and the read latch then shows what
//   WRITEMODE_x says (NORMAL: unchanged, WRITETHROUGH: the new word, READBEFOREWRITE: the old
//   one); WEx low reads. REGMODE_x "OUTREG" adds the output register, loaded while OCEx is
//   high.
// - RSTx clears the read latch and the output register, never the array: at the clock edge
//   (RESETMODE "SYNC", whatever CEx) or at once ("ASYNC"); the port neither writes nor reads
//   while it is held in reset.
// - A read of bits the other port writes at the same edge is indeterminate, as Yosys's
//   memory_libmap takes it (its DP16KD description declares no `wrtrans`): the model's read
//   latch then shows the old word inverted, so a netlist that uses such a read fails its
//   tests (where the RTL needs that read, Yosys delays the write and bypasses it in logic).
module DP16KD (
    input DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6,
    input DIA5, DIA4, DIA3, DIA2, DIA1, DIA0,
    input ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1,
    input ADA0, CEA, OCEA, CLKA, WEA, RSTA, CSA2, CSA1, CSA0,
    output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6,
    output DOA5, DOA4, DOA3, DOA2, DOA1, DOA0,
    input DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6,
    input DIB5, DIB4, DIB3, DIB2, DIB1, DIB0,
    input ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1,
    input ADB0, CEB, OCEB, CLKB, WEB, RSTB, CSB2, CSB1, CSB0,
    output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6,
    output DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);
    parameter DATA_WIDTH_A = 18;
    parameter DATA_WIDTH_B = 18;
    parameter REGMODE_A = "NOREG";
    parameter REGMODE_B = "NOREG";
    parameter RESETMODE = "SYNC";
    parameter ASYNC_RESET_RELEASE = "SYNC";
    parameter CSDECODE_A = "0b000";
    parameter CSDECODE_B = "0b000";
    parameter WRITEMODE_A = "NORMAL";
    parameter WRITEMODE_B = "NORMAL";
    parameter CLKAMUX = "CLKA";
    parameter CLKBMUX = "CLKB";
    parameter GSR = "ENABLED";
    parameter INITVAL_00 = 320'h0, INITVAL_01 = 320'h0, INITVAL_02 = 320'h0, INITVAL_03 = 320'h0;
    parameter INITVAL_04 = 320'h0, INITVAL_05 = 320'h0, INITVAL_06 = 320'h0, INITVAL_07 = 320'h0;
    parameter INITVAL_08 = 320'h0, INITVAL_09 = 320'h0, INITVAL_0A = 320'h0, INITVAL_0B = 320'h0;
    parameter INITVAL_0C = 320'h0, INITVAL_0D = 320'h0, INITVAL_0E = 320'h0, INITVAL_0F = 320'h0;
    parameter INITVAL_10 = 320'h0, INITVAL_11 = 320'h0, INITVAL_12 = 320'h0, INITVAL_13 = 320'h0;
    parameter INITVAL_14 = 320'h0, INITVAL_15 = 320'h0, INITVAL_16 = 320'h0, INITVAL_17 = 320'h0;
    parameter INITVAL_18 = 320'h0, INITVAL_19 = 320'h0, INITVAL_1A = 320'h0, INITVAL_1B = 320'h0;
    parameter INITVAL_1C = 320'h0, INITVAL_1D = 320'h0, INITVAL_1E = 320'h0, INITVAL_1F = 320'h0;
    parameter INITVAL_20 = 320'h0, INITVAL_21 = 320'h0, INITVAL_22 = 320'h0, INITVAL_23 = 320'h0;
    parameter INITVAL_24 = 320'h0, INITVAL_25 = 320'h0, INITVAL_26 = 320'h0, INITVAL_27 = 320'h0;
    parameter INITVAL_28 = 320'h0, INITVAL_29 = 320'h0, INITVAL_2A = 320'h0, INITVAL_2B = 320'h0;
    parameter INITVAL_2C = 320'h0, INITVAL_2D = 320'h0, INITVAL_2E = 320'h0, INITVAL_2F = 320'h0;
    parameter INITVAL_30 = 320'h0, INITVAL_31 = 320'h0, INITVAL_32 = 320'h0, INITVAL_33 = 320'h0;
    parameter INITVAL_34 = 320'h0, INITVAL_35 = 320'h0, INITVAL_36 = 320'h0, INITVAL_37 = 320'h0;
    parameter INITVAL_38 = 320'h0, INITVAL_39 = 320'h0, INITVAL_3A = 320'h0, INITVAL_3B = 320'h0;
    parameter INITVAL_3C = 320'h0, INITVAL_3D = 320'h0, INITVAL_3E = 320'h0, INITVAL_3F = 320'h0;

    // ---- configuration -------------------------------------------------------------------
    localparam PDP = DATA_WIDTH_A == 36;
    // write modes: what the read latch shows after a write
    localparam NORMAL = 0, WRITETHROUGH = 1, READBEFOREWRITE = 2;
    function integer mode(input [119:0] text);
        mode = text == "WRITETHROUGH" ? WRITETHROUGH
             : text == "READBEFOREWRITE" ? READBEFOREWRITE : NORMAL;
    endfunction
    function integer width_ok(input integer width);
        width_ok = width == 9 || width == 18;
    endfunction
    initial
        if (!(PDP ? DATA_WIDTH_B == 36 : width_ok(DATA_WIDTH_A) && width_ok(DATA_WIDTH_B))
                || (RESETMODE != "SYNC" && RESETMODE != "ASYNC")
                || (REGMODE_A != "NOREG" && REGMODE_A != "OUTREG")
                || (REGMODE_B != "NOREG" && REGMODE_B != "OUTREG")) begin
            $display("DP16KD model: unmodelled configuration %m");
            $finish;
        end

    // "0bXYZ": CS2 = X, CS1 = Y, CS0 = Z
    function [2:0] decode(input [39:0] text);
        decode = {text[16 +: 8] == "1", text[8 +: 8] == "1", text[0 +: 8] == "1"};
    endfunction

    // ---- the array ---------------------------------------------------------------------------
    reg [17:0] mem [0:1023];
    task row(input integer r, input [319:0] value);
        integer k;
        for (k = 0; k < 16; k = k + 1)
            mem[16 * r + k] = value[20 * k +: 18];
    endtask
    initial begin
        row('h00, INITVAL_00); row('h01, INITVAL_01); row('h02, INITVAL_02); row('h03, INITVAL_03);
        row('h04, INITVAL_04); row('h05, INITVAL_05); row('h06, INITVAL_06); row('h07, INITVAL_07);
        row('h08, INITVAL_08); row('h09, INITVAL_09); row('h0A, INITVAL_0A); row('h0B, INITVAL_0B);
        row('h0C, INITVAL_0C); row('h0D, INITVAL_0D); row('h0E, INITVAL_0E); row('h0F, INITVAL_0F);
        row('h10, INITVAL_10); row('h11, INITVAL_11); row('h12, INITVAL_12); row('h13, INITVAL_13);
        row('h14, INITVAL_14); row('h15, INITVAL_15); row('h16, INITVAL_16); row('h17, INITVAL_17);
        row('h18, INITVAL_18); row('h19, INITVAL_19); row('h1A, INITVAL_1A); row('h1B, INITVAL_1B);
        row('h1C, INITVAL_1C); row('h1D, INITVAL_1D); row('h1E, INITVAL_1E); row('h1F, INITVAL_1F);
        row('h20, INITVAL_20); row('h21, INITVAL_21); row('h22, INITVAL_22); row('h23, INITVAL_23);
        row('h24, INITVAL_24); row('h25, INITVAL_25); row('h26, INITVAL_26); row('h27, INITVAL_27);
        row('h28, INITVAL_28); row('h29, INITVAL_29); row('h2A, INITVAL_2A); row('h2B, INITVAL_2B);
        row('h2C, INITVAL_2C); row('h2D, INITVAL_2D); row('h2E, INITVAL_2E); row('h2F, INITVAL_2F);
        row('h30, INITVAL_30); row('h31, INITVAL_31); row('h32, INITVAL_32); row('h33, INITVAL_33);
        row('h34, INITVAL_34); row('h35, INITVAL_35); row('h36, INITVAL_36); row('h37, INITVAL_37);
        row('h38, INITVAL_38); row('h39, INITVAL_39); row('h3A, INITVAL_3A); row('h3B, INITVAL_3B);
        row('h3C, INITVAL_3C); row('h3D, INITVAL_3D); row('h3E, INITVAL_3E); row('h3F, INITVAL_3F);
    end

    // An access WIDTH bits wide at address AD covers two 18-bit words from first(...); its
    // bits in them are lanes(...) (for a write, the bytes it enables).
    function [9:0] first(input integer width, input [13:0] ad);
        first = width == 36 ? {ad[13:5], 1'b0} : ad[13:4];
    endfunction
    function [35:0] lanes(input integer width, input [13:0] ad, input write);
        case (width)
        36: lanes = write ? {{9{ad[3]}}, {9{ad[2]}}, {9{ad[1]}}, {9{ad[0]}}} : {36{1'b1}};
        18: lanes = write ? {18'b0, {9{ad[1]}}, {9{ad[0]}}} : {18'b0, {18{1'b1}}};
        default: lanes = ad[3] ? {18'b0, {9{1'b1}}, 9'b0} : {27'b0, {9{1'b1}}};
        endcase
    endfunction
    // data out of the two words: the port's bits, low-aligned
    function [35:0] pick(input integer width, input [13:0] ad, input [35:0] words);
        case (width)
        36: pick = words;
        18: pick = {18'b0, words[17:0]};
        default: pick = {27'b0, ad[3] ? words[17:9] : words[8:0]};
        endcase
    endfunction

    // One port's enabled edge: writes (WE) or reads the array (nonblocking, so the other
    // port's access at the same edge sees the old words). Returns the new read latch and the
    // bits written and read (for the collision check).
    task access(input integer width, input integer wmode, input writes, input reads,
                input [13:0] ad, input [35:0] din, input [35:0] latch, output [35:0] next,
                output [9:0] word, output [35:0] wrote, output [35:0] read);
        reg [35:0] old, data, new_;
        begin
            word = first(width, ad);
            old = {mem[word + 1], mem[word]};
            data = width == 9 ? {18'b0, din[8:0], din[8:0]} : din;
            wrote = writes ? lanes(width, ad, 1) : 36'b0;
            read = reads && !writes ? lanes(width, ad, 0) : 36'b0;
            new_ = (old & ~wrote) | (data & wrote);
            if (writes) begin
                mem[word] <= new_[17:0];
                if (width == 36) mem[word + 1] <= new_[35:18];
            end
            if (!writes || wmode == READBEFOREWRITE) next = pick(width, ad, old);
            else if (wmode == WRITETHROUGH) next = pick(width, ad, new_);
            else next = latch;
        end
    endtask

    // At an edge both ports share: does one read a bit the other writes?
    function overlap(input [9:0] w, input [35:0] m, input [9:0] v, input [35:0] n);
        overlap = (w == v && (m[17:0] & n[17:0]) != 0)
               || (w == v + 1 && (m[17:0] & n[35:18]) != 0)
               || (w + 1 == v && (m[35:18] & n[17:0]) != 0)
               || (w == v && (m[35:18] & n[35:18]) != 0);
    endfunction

    // ---- ports -------------------------------------------------------------------------------
    wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3,
                       ADA2, ADA1, ADA0};
    wire [13:0] adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3,
                       ADB2, ADB1, ADB0};
    wire [35:0] din = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8,
                       DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0,
                       DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8,
                       DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
    wire [35:0] din_a = PDP ? din : {18'b0, din[17:0]}, din_b = {18'b0, din[35:18]};
    wire clka = CLKAMUX == "INV" ? !CLKA : CLKA;
    wire clkb = CLKBMUX == "INV" ? !CLKB : CLKB;
    wire ena = CEA && {CSA2, CSA1, CSA0} == decode(CSDECODE_A);
    wire enb = CEB && {CSB2, CSB1, CSB0} == decode(CSDECODE_B);
    wire arsta = RESETMODE == "ASYNC" && RSTA, arstb = RESETMODE == "ASYNC" && RSTB;

    // Each port's last edge and what it wrote and read there (nonblocking, like the read
    // latches, so that a collision is found whatever order the two ports' blocks run in).
    time a_at = 0, b_at = 1;
    reg [9:0] a_word = 0, b_word = 0, word_a, word_b;
    reg [35:0] a_wrote = 0, b_wrote = 0, a_read = 0, b_read = 0, wrote_a, wrote_b, read_a,
               read_b;
    reg [35:0] latch_a = 0, latch_b = 0, out_a = 0, out_b = 0, next_a, next_b;
    // what the read latches show: a read that collided with the other port's write, inverted
    wire hit_a = a_at == b_at && overlap(b_word, b_wrote, a_word, a_read);
    wire hit_b = a_at == b_at && overlap(a_word, a_wrote, b_word, b_read);
    wire [35:0] shown_a = hit_a ? ~latch_a : latch_a, shown_b = hit_b ? ~latch_b : latch_b;

    // port A (in PDP mode, the write port)
    always @(posedge clka or posedge arsta) begin
        wrote_a = 0;
        read_a = 0;
        if (arsta || RSTA) begin
            latch_a <= 0;
            out_a <= 0;
        end else begin
            if (OCEA) out_a <= shown_a;
            if (ena) begin
                access(DATA_WIDTH_A, mode(WRITEMODE_A), WEA, !PDP, ada, din_a, latch_a,
                       next_a, word_a, wrote_a, read_a);
                latch_a <= next_a;
                a_word <= word_a;
            end
        end
        a_wrote <= wrote_a;
        a_read <= read_a;
        a_at <= $time;
    end

    // port B (in PDP mode, the read port)
    always @(posedge clkb or posedge arstb) begin
        wrote_b = 0;
        read_b = 0;
        if (arstb || RSTB) begin
            latch_b <= 0;
            out_b <= 0;
        end else begin
            if (OCEB) out_b <= shown_b;
            if (enb) begin
                access(DATA_WIDTH_B, mode(WRITEMODE_B), WEB && !PDP, 1, adb, din_b,
                       latch_b, next_b, word_b, wrote_b, read_b);
                latch_b <= next_b;
                b_word <= word_b;
            end
        end
        b_wrote <= wrote_b;
        b_read <= read_b;
        b_at <= $time;
    end

    wire [35:0] dout_a = REGMODE_A == "OUTREG" ? out_a : shown_a;
    wire [35:0] dout_b = REGMODE_B == "OUTREG" ? out_b : shown_b;
    assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6,
            DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} = PDP ? dout_b[35:18] : dout_b[17:0];
    assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6,
            DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} = PDP ? dout_b[17:0] : dout_a[17:0];
endmodule
